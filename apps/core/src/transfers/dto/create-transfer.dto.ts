import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CreateTransferRequest, DriveRef, TransferOptions } from '@ferry/contracts';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';

export class DriveRefDto implements DriveRef {
  @ApiProperty({ example: 'a-data' })
  @IsString()
  @MaxLength(200)
  driveId: string;

  /** checked by normalizeDrivePath (BAD_PATH), not here, so traversal gets its own code */
  @ApiProperty({ example: 'results/run-42', description: "relative to the drive root; '' or '/' is the root" })
  @IsString()
  path: string;
}

export class TransferOptionsDto implements TransferOptions {
  @ApiPropertyOptional({ enum: ['size', 'checksum'], default: 'size' })
  @IsOptional()
  @IsIn(['size', 'checksum'])
  verify?: 'size' | 'checksum';

  @ApiPropertyOptional({ example: 'sftp', description: 'ask for one mechanism (NO_COMMON_MECHANISM if the sites cannot)' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/, { message: 'mechanism must be a lower-case mechanism id' })
  mechanism?: string;

  @ApiPropertyOptional({ example: 'run 42 to B' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  label?: string;
}

export class CreateTransferDto implements CreateTransferRequest {
  @ApiProperty({ type: DriveRefDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => DriveRefDto)
  source: DriveRefDto;

  @ApiProperty({ type: DriveRefDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => DriveRefDto)
  destination: DriveRefDto;

  @ApiProperty({ description: "researcher's X25519 public key, base64 (BAD_KEY if malformed)" })
  @IsString()
  @MaxLength(200)
  userPublicKey: string;

  @ApiPropertyOptional({ type: TransferOptionsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TransferOptionsDto)
  options?: TransferOptionsDto;
}
