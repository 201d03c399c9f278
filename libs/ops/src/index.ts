export * from './bearer-token.util';
export * from './readiness.util';
