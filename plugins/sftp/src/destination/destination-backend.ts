import type { Grant } from './grant';

/** Where and how a source reaches one grant; goes into forPeer (the host key is pinned by the source). */
export interface BackendEndpoint {
  host: string;
  port: number;
  /** "SHA256:..." of the server's host key, as OpenSSH prints it */
  hostKeyFingerprint: string;
  /** SSH user name to log in as (embedded: the grant's random name; OpenSSH: the local account) */
  username: string;
  /** folder to upload into as the server names it ('/' when the session is confined to it) */
  remotePath: string;
}

/**
 * The SSH server side of a grant. The plugin's destination logic (grant minting, persistence,
 * expiry, verification) is the same whatever serves SFTP; a backend only makes a grant usable on
 * its server and takes it away again. 'embedded' (the gateway's own ssh2 server) is the first;
 * an 'openssh' backend (authorized_keys entries for grant.account with a forced internal-sftp
 * confined to the folder, see @ferry/openssh) fits here. The source needs no change for it: it
 * answers the password step (grant token) only when a server asks for one.
 */
export interface DestinationBackend {
  readonly kind: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  endpoint(grant: Grant): BackendEndpoint;
  /** Make an activated grant usable. Idempotent. */
  install(grant: Grant): Promise<void>;
  /** Refuse new logins for this grant and end its open sessions. Idempotent. */
  revoke(grant: Grant): Promise<void>;
  /** Remove the partial ('*.ferry-part') files this grant's sessions created. Idempotent. */
  removePartialFiles(grant: Grant): Promise<string[]>;
}
