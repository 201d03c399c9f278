import 'reflect-metadata';

export { createCoreApp } from './bootstrap/create-core-app';
export { CoreConfig, ConfigError, loadCoreConfig, describeConfig } from './config/core-config';
export { hashToken } from './auth/token.guard';
export { SeedFile } from './seed/seed-file.schema';
