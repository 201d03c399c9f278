import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Researcher API tokens, stored only as sha256 hex of the clear token. */
@Entity('api_tokens')
export class ApiTokenEntity {
  @PrimaryColumn('text', { name: 'token_hash' }) tokenHash: string;
  /** how operators name a token (listing, revoking): neither the token nor its hash */
  @Column('uuid') id: string;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @Column('boolean', { default: false }) revoked: boolean;
  @Column('text', { nullable: true }) label: string | null;
  @Column('timestamp with time zone', { name: 'created_at', precision: 3 }) createdAt: Date;
  @Column('timestamp with time zone', { name: 'revoked_at', precision: 3, nullable: true }) revokedAt: Date | null;
}
