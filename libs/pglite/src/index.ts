export * from './pglite-driver.util';
