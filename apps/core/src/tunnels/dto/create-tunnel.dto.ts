import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CreateTunnelRequest, TunnelEndpointRef } from '@ferry/contracts';
import { Type } from 'class-transformer';
import { IsDefined, IsNumber, IsObject, IsOptional, IsPositive, IsString, Matches, Max, MaxLength, ValidateNested } from 'class-validator';

/** Longest tunnel lifetime the core accepts: one week. */
export const MAX_TUNNEL_LIFETIME_MINUTES = 7 * 24 * 60;

export class TunnelEndpointDto implements TunnelEndpointRef {
  @ApiProperty({ example: 'provider-a' })
  @IsString()
  @MaxLength(128)
  providerId: string;

  @ApiProperty({ example: 'a-lan', description: 'an access point id from GET /api/access-points' })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: 'accessPoint must be an access point id (letters, digits, ".", "_", "-")' })
  accessPoint: string;
}

export class CreateTunnelDto implements CreateTunnelRequest {
  @ApiProperty({ type: TunnelEndpointDto, description: 'where applications connect (role source at negotiation)' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => TunnelEndpointDto)
  initiator: TunnelEndpointDto;

  @ApiProperty({ type: TunnelEndpointDto, description: 'the gateway that connects to the target (role destination)' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => TunnelEndpointDto)
  listener: TunnelEndpointDto;

  /** only the shape here; whether the listener's access point allows it is its gateway's decision (422) */
  @ApiProperty({ example: '127.0.0.1:5432', description: 'host:port the listener connects to; IPv6 as [::1]:5432' })
  @IsString()
  @MaxLength(300)
  @Matches(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$/, { message: 'target must be host:port (IPv6 in brackets: [::1]:5432)' })
  target: string;

  @ApiProperty({ example: 480, description: `counted from the trigger; fractions allowed; at most ${MAX_TUNNEL_LIFETIME_MINUTES}` })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MAX_TUNNEL_LIFETIME_MINUTES)
  lifetimeMinutes: number;

  @ApiPropertyOptional({ example: 'microscope to HPC' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  label?: string;

  @ApiProperty({ description: "researcher's X25519 public key, base64 (BAD_KEY if malformed)" })
  @IsString()
  @MaxLength(200)
  userPublicKey: string;
}
