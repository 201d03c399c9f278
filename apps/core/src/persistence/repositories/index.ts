export * from './drive.repository';
export * from './identity-mapping.repository';
export * from './nonce.repository';
export * from './project.repository';
export * from './provider.repository';
export * from './task.repository';
export * from './transfer.repository';
export * from './user.repository';
