/**
 * '@ferry/plugin-sdk/testing': the conformance kit. A plugin's own jest test calls
 * runConformanceSuite({ definition, options, probeGrant }); the pieces it is built from (a real
 * PluginContext, handles that record what a plugin does, a pair of gateways) are exported too.
 */
export * from './conformance.suite';
export * from './conformance.checks';
export * from './plugin-pair';
export * from './test-context';
export * from './test-transfer.handle';
export * from './file-secret.store';
export * from './capture.logger';
export * from './memory-transfer.directory';
export * from './test.clock';
export * from './fs-tree.util';
export * from './json-clean.util';
