export * from './managed-process';
export * from './stack.harness';
export * from './researcher.client';
export * from './tree.util';
export * from './gateway-access.util';
export * from './database-dump.util';
export * from './sftp-login.util';
