export * from './plugin.contract';
export * from './plugin-context';
export * from './mechanism.error';
// The protocol types a plugin's signatures use, so that a plugin package needs only this SDK.
export type { FileManifest, PeerDescriptor, ProgressFigures, TransferOptions, TunnelSpec } from '@ferry/contracts';
