import type { FinalizeOutcome, TransferHandle } from '@ferry/plugin-sdk';
import type { Grant } from './grant';

/** Where and how a source reaches one grant; goes into forPeer (the host key is pinned by the source). */
export interface BackendEndpoint {
  host: string;
  port: number;
  /** "SHA256:..." of the server's host key, as OpenSSH prints it */
  hostKeyFingerprint: string;
  /** SSH user name to log in as (embedded: the grant's random name; OpenSSH: the local account) */
  username: string;
  /**
   * folder to upload into as the server names it: '/' when the session is confined to it
   * (embedded), the absolute folder when the session sees the whole file system (OpenSSH)
   */
  remotePath: string;
  /**
   * ferry stream protocols the server speaks besides SFTP (embedded: ['ferry-tree@1'], the tree
   * stream for small files and the re-sync check); absent for servers that speak only SFTP
   */
  streams?: string[];
}

/** What a backend adds to a grant when it is minted (see DestinationBackend.admit). */
export type GrantExtras = Pick<Grant, 'sourceAddresses'>;

/**
 * The SSH server side of a grant. The plugin's destination logic (grant minting, persistence,
 * expiry, verification) is the same whatever serves SFTP; a backend only makes a grant usable on
 * its server and takes it away again. Implementations: 'embedded' (the gateway's own ssh2 server,
 * sessions confined to the folder) and 'openssh' (the site's sshd, a restricted expiring key per
 * transfer for the mapped local account). Both work with the same source: it answers the password
 * step (grant token) only when a server asks for one, which OpenSSH does not.
 */
export interface DestinationBackend {
  readonly kind: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * At prepare, before a grant is minted: refuse (MechanismError) a transfer this backend cannot
   * serve, e.g. an unknown local account, and say what goes into the grant besides the common fields.
   */
  admit(t: TransferHandle, sourcePublicParams: Record<string, unknown>): Promise<GrantExtras>;
  endpoint(grant: Grant): Promise<BackendEndpoint>;
  /** Make an activated grant usable. Idempotent; never extends what an earlier call allowed. */
  install(grant: Grant): Promise<void>;
  /** Refuse new logins for this grant and end its open sessions. Idempotent. */
  revoke(grant: Grant): Promise<void>;
  /**
   * Remove the partial ('*.ferry-part') files this grant's sessions created, after revoke, at
   * cancel and at every finalize (`why`: a succeeded transfer has renamed all of its own). Idempotent.
   */
  removePartialFiles(grant: Grant, why: FinalizeOutcome | 'cancelled'): Promise<string[]>;
}
