export * from './error-codes';
export * from './task';
export * from './api';
export * from './gateway-protocol';
export * from './paths.util';
export * from './admin';
export * from './input-safety.util';
