import type { Envelope } from '@ferry/crypto';
import type { AccessPointDescriptor } from './gateway-protocol';
import type { TaskState, TaskView, TunnelEvent } from './task';

/**
 * Researcher-facing API of the core, under /api, Bearer-token authenticated.
 * Paths inside drives are POSIX, relative to the drive root ('' or '/' is the root);
 * the core normalizes them and refuses any that escape (BAD_PATH).
 */

export interface DriveRef {
  driveId: string;
  path: string;
}

export type VerifyMode = 'size' | 'checksum';

export interface TransferOptions {
  verify?: VerifyMode; // default 'size'
  /** ask for one mechanism; NO_COMMON_MECHANISM when the sites cannot do it */
  mechanism?: string;
  label?: string;
}

/** POST /api/transfers */
export interface CreateTransferRequest {
  source: DriveRef;
  destination: DriveRef;
  /** researcher's X25519 public key, base64; sealed parameters come back sealed to it */
  userPublicKey: string;
  options?: TransferOptions;
}

export type TransferRole = 'source' | 'destination';

/**
 * One gateway's answer to the researcher, relayed by the core which cannot read `sealed`.
 * The researcher verifies `signature` (gateway's Ed25519 over canonical JSON of `OfferSigned`)
 * with the provider's signPublicKey before trusting anything in it.
 */
export interface Offer {
  role: TransferRole | 'initiator' | 'listener';
  providerId: string;
  /** the gateway's keys as the core's registry knows them (pinned or fetched from /.well-known) */
  gateway: { boxPublicKey: string; signPublicKey: string };
  mechanism: string;
  publicParams: Record<string, unknown>;
  /** sealed to userPublicKey with binding {transferId, role, purpose:'params'}; plaintext is SealedParams */
  sealed: Envelope;
  signature: string;
}

/** What the signature in an Offer covers. */
export interface OfferSigned {
  transferId: string;
  role: string;
  providerId: string;
  mechanism: string;
  publicParams: Record<string, unknown>;
  sealed: Envelope;
  userPublicKey: string;
}

/** Plaintext of Offer.sealed, readable only by the researcher. */
export interface SealedParams {
  /** one-time token that the researcher returns in this gateway's trigger: proof of consent */
  triggerToken: string;
  /** mechanism data the researcher forwards, unread by the core, inside the *other* gateway's trigger */
  forPeer: Record<string, unknown>;
  /** anything the researcher should see (e.g. agreement name, expiry) */
  info?: Record<string, unknown>;
}

/**
 * Plaintext of a trigger envelope, sealed by the researcher to a gateway's boxPublicKey with binding
 * {transferId, role: that gateway's role, purpose: 'trigger'}.
 */
export interface TriggerPayload {
  triggerToken: string;
  /** the other gateway's SealedParams.forPeer, as opened by the researcher */
  peer: Record<string, unknown>;
  /** extra researcher-chosen secrets (e.g. the tunnel secret) */
  user?: Record<string, unknown>;
}

export interface TransferView {
  id: string;
  state: TaskState;
  source: DriveRef & { providerId: string };
  destination: DriveRef & { providerId: string };
  options: TransferOptions;
  mechanism: string | null;
  userPublicKey: string;
  /** present in AWAITING_TRIGGER and later: both gateways' offers */
  offers: Offer[];
  /** when untriggered transfers expire */
  triggerDeadline: string;
  rejection: { providerId: string; code: string; reason: string } | null;
  task: TaskView;
}

/** POST /api/transfers/{id}/trigger — the core relays destination first, then source. */
export interface TriggerRequest {
  triggers: Array<{ role: TransferRole; envelope: Envelope }>;
}

export interface DriveView {
  id: string;
  name: string;
  providerId: string;
  providerName: string;
  /** what the caller may do on this drive */
  permissions: Array<'READ' | 'WRITE' | 'ADMIN'>;
}

export interface FileEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** ISO 8601 */
  modified: string;
}

export interface FileListing {
  driveId: string;
  path: string;
  entries: FileEntry[];
}

export interface ProviderView {
  id: string;
  name: string;
  url: string;
  mechanisms: string[];
  boxPublicKey: string | null;
  signPublicKey: string | null;
}

export interface TaskListQuery {
  state?: TaskState | TaskState[];
  kind?: 'transfer' | 'tunnel';
  limit?: number; // default 50, max 500
  cursor?: string;
}

// ---- stream tunnels (docs/tunnels.md, "Researcher API") ----

/** One end of a tunnel: an access point at a provider (from GET /api/access-points). */
export interface TunnelEndpointRef {
  providerId: string;
  accessPoint: string;
}

/**
 * POST /api/tunnels. The initiator (A, negotiated as role 'source') listens for local applications;
 * the listener (B, role 'destination') connects to `target`, which its access point must allow.
 */
export interface CreateTunnelRequest {
  initiator: TunnelEndpointRef;
  listener: TunnelEndpointRef;
  /** host:port the listener connects to, e.g. "127.0.0.1:5432" or "[::1]:80" */
  target: string;
  /** counted from the trigger at each gateway; fractions allowed (0.5 = 30 s) */
  lifetimeMinutes: number;
  label?: string;
  /** researcher's X25519 public key, base64 */
  userPublicKey: string;
}

export interface TunnelView {
  id: string;
  state: TaskState;
  initiator: TunnelEndpointRef;
  listener: TunnelEndpointRef;
  target: string;
  lifetimeMinutes: number;
  label: string | null;
  /** host:port applications at A connect to, once the initiator listens */
  listenAddress: string | null;
  mechanism: string | null;
  userPublicKey: string;
  /** role 'source' = initiator, 'destination' = listener; triggers are built from them as for transfers */
  offers: Offer[];
  triggerDeadline: string;
  rejection: { providerId: string; code: string; reason: string } | null;
  task: TaskView;
  /** the latest events, oldest first (GET /api/tunnels/{id} only; lists leave them out) */
  events?: TunnelEvent[];
}

/** GET /api/access-points: per provider where the caller has an identity mapping. */
export interface ProviderAccessPoints {
  providerId: string;
  providerName: string;
  accessPoints: AccessPointDescriptor[];
  /** the gateway could not be asked (its access points are unknown right now) */
  error: { code: string; message: string } | null;
}
