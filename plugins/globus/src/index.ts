import { globusPlugin } from './globus.plugin';

export default globusPlugin;
export { globusPlugin as plugin };
export { GlobusMechanism } from './globus.mechanism';
export { globusOptionsSchema, type GlobusOptions } from './globus-options.schema';
