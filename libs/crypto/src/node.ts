import { setSigningPrimitives } from './signing-primitives';
import { nodeSigningPrimitives } from './signing-primitives.node';

export * from './index';
export * from './key-file.node';
export { nodeSigningPrimitives } from './signing-primitives.node';

// Node programs (core, gateways, CLI) import this entry: they sign and verify with OpenSSL.
setSigningPrimitives(nodeSigningPrimitives);
