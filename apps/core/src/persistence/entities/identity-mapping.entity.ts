import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Which local identity a user has at a provider (sent to the gateway in prepare and browse). */
@Entity('identity_mappings')
export class IdentityMappingEntity {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @PrimaryColumn('text', { name: 'provider_id' }) providerId: string;
  @Column('text') identity: string;
}
