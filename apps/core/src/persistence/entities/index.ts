import { ApiTokenEntity } from './api-token.entity';
import { AuditLogEntity } from './audit-log.entity';
import { DriveAclEntity, DriveEntity } from './drive.entity';
import { IdentityMappingEntity } from './identity-mapping.entity';
import { ProjectEntity, ProjectMemberEntity } from './project.entity';
import { ProviderEntity } from './provider.entity';
import { TaskEntity } from './task.entity';
import { TaskEventEntity } from './task-event.entity';
import { TransferEntity } from './transfer.entity';
import { UsedNonceEntity } from './used-nonce.entity';
import { UserEntity } from './user.entity';

export * from './api-token.entity';
export * from './audit-log.entity';
export * from './drive.entity';
export * from './identity-mapping.entity';
export * from './project.entity';
export * from './provider.entity';
export * from './task.entity';
export * from './task-event.entity';
export * from './transfer.entity';
export * from './used-nonce.entity';
export * from './user.entity';

export const CORE_ENTITIES = [
  UserEntity,
  ApiTokenEntity,
  ProjectEntity,
  ProjectMemberEntity,
  ProviderEntity,
  DriveEntity,
  DriveAclEntity,
  IdentityMappingEntity,
  TransferEntity,
  TaskEntity,
  TaskEventEntity,
  UsedNonceEntity,
  AuditLogEntity,
];
