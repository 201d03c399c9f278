import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { CoreConfig } from '../config/core-config';
import { dataSourceOptions } from './data-source.factory';
import { Database } from './database.service';
import {
  AuditRepository,
  DriveRepository,
  HealthRepository,
  IdentityMappingRepository,
  NonceRepository,
  ProjectRepository,
  ProviderRepository,
  TaskEventRepository,
  TaskRepository,
  TransferRepository,
  UserRepository,
} from './repositories';

const REPOSITORIES = [
  AuditRepository,
  DriveRepository,
  HealthRepository,
  IdentityMappingRepository,
  NonceRepository,
  ProjectRepository,
  ProviderRepository,
  TaskEventRepository,
  TaskRepository,
  TransferRepository,
  UserRepository,
];

/** The database connection (migrations run on connect) and the repositories, the only SQL in the core. */
@Global()
@Module({})
export class PersistenceModule {
  static forRoot(config: CoreConfig): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(config), retryAttempts: 0 })],
      providers: [Database, ...REPOSITORIES],
      exports: REPOSITORIES,
    };
  }
}
