import type { Offer, TransferOptions, TunnelEndpointRef } from '@ferry/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export interface Rejection {
  providerId: string;
  code: string;
  reason: string;
}

/** What a tunnel connects (transfers of task kind 'tunnel'; their drive columns are ''). */
export interface TunnelRecord {
  initiator: TunnelEndpointRef;
  listener: TunnelEndpointRef;
  target: string;
  lifetimeMinutes: number;
}

/**
 * What was negotiated for one transfer (or tunnel). `offers` are the gateways' answers exactly as they came
 * (public parameters, signatures and envelopes sealed to the researcher): ciphertext only, the core
 * cannot read the sealed parameters.
 */
@Entity('transfers')
export class TransferEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'owner_id' }) ownerId: string;
  @Column('text', { name: 'source_drive_id' }) sourceDriveId: string;
  @Column('text', { name: 'source_path' }) sourcePath: string;
  @Column('text', { name: 'source_provider_id' }) sourceProviderId: string;
  @Column('text', { name: 'destination_drive_id' }) destinationDriveId: string;
  @Column('text', { name: 'destination_path' }) destinationPath: string;
  @Column('text', { name: 'destination_provider_id' }) destinationProviderId: string;
  @Column('jsonb') options: TransferOptions;
  @Column('text', { name: 'user_public_key' }) userPublicKey: string;
  @Column('text', { nullable: true }) mechanism: string | null;
  @Column('jsonb', { default: () => "'[]'" }) offers: Offer[];
  @Column('timestamp with time zone', { name: 'trigger_deadline', precision: 3 }) triggerDeadline: Date;
  @Column('jsonb', { nullable: true }) rejection: Rejection | null;
  @Column('timestamp with time zone', { name: 'triggered_at', precision: 3, nullable: true }) triggeredAt: Date | null;
  @Column('timestamp with time zone', { name: 'created_at', precision: 3 }) createdAt: Date;
  @Column('jsonb', { nullable: true }) tunnel: TunnelRecord | null;
}
