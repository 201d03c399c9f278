// Browser-safe exports. Node-only helpers (key files) are in '@ferry/crypto/node'.
export * from './encoding.util';
export * from './crypto.error';
export * from './keys';
export * from './envelope';
export * from './signature';
export * from './request-signing';
export * from './signing-primitives';
export * from './box-primitives';
