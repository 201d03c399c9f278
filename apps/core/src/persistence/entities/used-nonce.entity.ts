import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Nonces of signed gateway requests, kept until they could no longer pass the timestamp check. */
@Entity('used_nonces')
export class UsedNonceEntity {
  @PrimaryColumn('text', { name: 'key_id' }) keyId: string;
  @PrimaryColumn('text') nonce: string;
  @Column('timestamp with time zone', { name: 'expires_at', precision: 3 }) expiresAt: Date;
}
