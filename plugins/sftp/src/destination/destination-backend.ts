import type { Grant } from './grant';

/** Where and how a source reaches this destination; goes into forPeer (pinned by the source). */
export interface BackendEndpoint {
  host: string;
  port: number;
  /** "SHA256:..." of the server's host key, as OpenSSH prints it */
  hostKeyFingerprint: string;
}

/**
 * The SSH server side of a grant. The plugin's destination logic (grant minting, persistence,
 * expiry, verification) is the same whatever serves SFTP; a backend only makes a grant usable on
 * its server and takes it away again. 'embedded' (the gateway's own ssh2 server) is the first;
 * an 'openssh' backend (authorized_keys entries with forced internal-sftp and a chroot) fits here.
 */
export interface DestinationBackend {
  readonly kind: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  endpoint(): BackendEndpoint;
  /** Make an activated grant usable. Idempotent. */
  install(grant: Grant): Promise<void>;
  /** Refuse new logins for this grant and end its open sessions. Idempotent. */
  revoke(grant: Grant): Promise<void>;
  /** Remove the partial ('*.ferry-part') files this grant's sessions created. Idempotent. */
  removePartialFiles(grant: Grant): Promise<string[]>;
}
