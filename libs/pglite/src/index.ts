export * from './pglite-driver.util';
export * from './pglite-v8-flags.util';
