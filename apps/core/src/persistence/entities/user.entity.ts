import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('users')
export class UserEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('text', { unique: true }) name: string;
  @Column('boolean', { default: false }) admin: boolean;
  /** a disabled user's tokens are refused */
  @Column('boolean', { default: false }) disabled: boolean;
  @Column('timestamp with time zone', { name: 'created_at', precision: 3 }) createdAt: Date;
}
