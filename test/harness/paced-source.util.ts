import type { GatewayConfigFile } from '../../apps/demo/src/world/config-files.types';

/**
 * Keeps one SFTP write of `chunkSize` bytes in flight at a gateway's sftp plugin (one round trip
 * per chunk), for tests that must act while data moves: at full speed a quiet machine moves the
 * suites' tens to hundreds of MiB in well under a second, and the pause, kill or restart then
 * lands after the transfer ended. Changes only that gateway's sftp options.
 */
export function paceSftpSource(gateway: GatewayConfigFile, chunkSize = 32_768): void {
  const sftp = gateway.plugins.find((p) => p.package === '@ferry/plugin-sftp');
  if (!sftp) throw new Error(`gateway ${gateway.id} has no sftp plugin to pace`);
  sftp.options = { ...(sftp.options as object), requestsInFlight: 1, chunkSize };
}
