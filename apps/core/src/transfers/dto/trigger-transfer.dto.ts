import { ApiProperty } from '@nestjs/swagger';
import type { TransferRole, TriggerRequest } from '@ferry/contracts';
import { ENVELOPE_ALG, Envelope } from '@ferry/crypto';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, Equals, IsArray, IsIn, IsObject, IsString, MaxLength, ValidateNested } from 'class-validator';

export class EnvelopeDto implements Envelope {
  @ApiProperty({ example: 1 })
  @Equals(1)
  v: 1;

  @ApiProperty({ example: ENVELOPE_ALG })
  @Equals(ENVELOPE_ALG)
  alg: typeof ENVELOPE_ALG;

  @ApiProperty() @IsString() @MaxLength(100) epk: string;
  @ApiProperty() @IsString() @MaxLength(100) nonce: string;
  @ApiProperty() @IsString() @MaxLength(262_144) ct: string;
}

export class TriggerEntryDto {
  @ApiProperty({ enum: ['source', 'destination'] })
  @IsIn(['source', 'destination'])
  role: TransferRole;

  @ApiProperty({ type: EnvelopeDto, description: 'TriggerPayload sealed to that gateway’s boxPublicKey' })
  @IsObject()
  @ValidateNested()
  @Type(() => EnvelopeDto)
  envelope: EnvelopeDto;
}

export class TriggerTransferDto implements TriggerRequest {
  @ApiProperty({ type: [TriggerEntryDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @ValidateNested({ each: true })
  @Type(() => TriggerEntryDto)
  triggers: TriggerEntryDto[];
}
