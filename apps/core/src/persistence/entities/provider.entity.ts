import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A provider gateway as the registry knows it. Keys are either pinned by the operator (seed) or
 * fetched from the gateway's /.well-known/ferry-provider and cached here.
 */
@Entity('providers')
export class ProviderEntity {
  @PrimaryColumn('text') id: string;
  @Column('text') name: string;
  @Column('text') url: string;
  @Column('text', { name: 'sign_public_key', nullable: true }) signPublicKey: string | null;
  @Column('text', { name: 'box_public_key', nullable: true }) boxPublicKey: string | null;
  /** true when the keys above come from the seed and must not be replaced by fetched ones */
  @Column('boolean', { name: 'keys_pinned', default: false }) keysPinned: boolean;
  @Column('text', { array: true, default: '{}' }) mechanisms: string[];
  @Column('timestamp with time zone', { name: 'fetched_at', precision: 3, nullable: true }) fetchedAt: Date | null;
}
