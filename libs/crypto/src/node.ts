export * from './index';
export * from './key-file.node';
