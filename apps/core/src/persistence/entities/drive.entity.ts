import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export type DrivePermission = 'READ' | 'WRITE' | 'ADMIN';

@Entity('drives')
export class DriveEntity {
  /** slug, e.g. 'a-data' */
  @PrimaryColumn('text') id: string;
  @Column('text') name: string;
  @Column('text', { name: 'provider_id' }) providerId: string;
  /** the drive id in the gateway's own config */
  @Column('text', { name: 'gateway_drive' }) gatewayDrive: string;
}

/** One permission for one principal (a user or a project, never both) on one drive. */
@Entity('drive_acl')
export class DriveAclEntity {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS' }) id: number;
  @Column('text', { name: 'drive_id' }) driveId: string;
  @Column('uuid', { name: 'user_id', nullable: true }) userId: string | null;
  @Column('uuid', { name: 'project_id', nullable: true }) projectId: string | null;
  @Column('text') permission: DrivePermission;
}
