import { setBoxPrimitives } from './box-primitives';
import { nodeBoxPrimitives } from './box-primitives.node';
import { setSigningPrimitives } from './signing-primitives';
import { nodeSigningPrimitives } from './signing-primitives.node';

export * from './index';
export * from './key-file.node';
export { nodeSigningPrimitives } from './signing-primitives.node';
export { nodeBoxPrimitives } from './box-primitives.node';

// Node programs (core, gateways, CLI) import this entry: they sign, verify and seal with OpenSSL.
setSigningPrimitives(nodeSigningPrimitives);
setBoxPrimitives(nodeBoxPrimitives);
