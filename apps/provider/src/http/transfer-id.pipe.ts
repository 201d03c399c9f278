import { Injectable, type PipeTransform } from '@nestjs/common';
import { DomainError } from '@ferry/contracts';
import { TRANSFER_ID_PATTERN } from './request.schemas';

/**
 * A transfer id from the URL: one that could not have been prepared here (control characters,
 * NUL, longer than prepare allows) names no transfer, so it is NOT_FOUND before it reaches the
 * database (PostgreSQL cannot even compare a text with NUL in it: that was a 500).
 */
@Injectable()
export class TransferIdPipe implements PipeTransform<string, string> {
  transform(id: string): string {
    if (!TRANSFER_ID_PATTERN.test(id) || id.length > 200) throw new DomainError('NOT_FOUND', 'no transfer with that id at this gateway');
    return id;
  }
}
