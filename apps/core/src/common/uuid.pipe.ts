import { ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '@ferry/contracts';

/**
 * Task and transfer ids are UUIDs; anything else cannot exist, so it is NOT_FOUND (and never
 * reaches the database as a malformed uuid, which PostgreSQL would reject with an error).
 */
export const uuidPipe = new ParseUUIDPipe({ exceptionFactory: () => new DomainError('NOT_FOUND', 'no such id') });
