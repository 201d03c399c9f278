export * from './plugin.contract';
export * from './plugin-context';
export * from './mechanism.error';
