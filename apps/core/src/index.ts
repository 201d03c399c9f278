import 'reflect-metadata';

export { createCoreApp, CoreAppOptions } from './bootstrap/create-core-app';
export { CoreConfig, ConfigError, loadCoreConfig, describeConfig, coreEnvSchema } from './config/core-config';
export { hashToken } from './auth/token.guard';
export { SeedFile } from './seed/seed-file.schema';
