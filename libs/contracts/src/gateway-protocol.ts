import type { Envelope } from '@ferry/crypto';
import type { FileEntry, TransferOptions, TransferRole } from './api';

/**
 * Core ↔ gateway protocol. Every call in both directions is signed (libs/crypto request-signing):
 * the core signs with its key (gateways pin its public key in their config, keyId 'core'),
 * a gateway signs with its own key (keyId = its provider id; the core looks it up in the registry).
 * Gateway endpoints live under GATEWAY_API_PREFIX.
 */
export const GATEWAY_API_PREFIX = '/ferry/v1';
export const WELL_KNOWN_PROVIDER_PATH = '/.well-known/ferry-provider';
/** Core endpoint gateways post progress to (signed). */
export const CORE_PROGRESS_PATH = '/api/gateway/progress';
/** Core endpoint for several progress reports in one signed request (ProgressBatchRequest). */
export const CORE_PROGRESS_BATCH_PATH = '/api/gateway/progress/batch';
/** The most reports one ProgressBatchRequest may carry (more: 400 VALIDATION_FAILED for the whole batch). */
export const MAX_PROGRESS_BATCH = 500;

/** GET /.well-known/ferry-provider (unsigned, public) */
export interface ProviderDescriptor {
  id: string;
  name: string;
  boxPublicKey: string;
  signPublicKey: string;
  /** mechanism ids this gateway has plugins for, in its order of preference */
  mechanisms: string[];
  /** ferry protocol version */
  protocol: 1;
}

export interface PeerDescriptor {
  providerId: string;
  name: string;
  signPublicKey: string;
  boxPublicKey: string;
  mechanisms: string[];
}

/** POST {prefix}/transfers/prepare */
export interface PrepareRequest {
  transferId: string;
  role: TransferRole;
  /** local identity at this provider, from the core's identity mapping */
  identity: string;
  /** the drive id as the gateway's config names it */
  drive: string;
  /** normalized relative path inside the drive */
  path: string;
  peer: PeerDescriptor;
  userPublicKey: string;
  options: TransferOptions;
  /** for role destination: the mechanism the source chose and its public parameters */
  mechanism?: string;
  peerPublicParams?: Record<string, unknown>;
  /** ISO time after which untriggered preparations are dropped and grants revoked */
  triggerDeadline: string;
  /**
   * Stream tunnels only (mechanism 'stream-tunnel'). Role 'source' is the initiator side (A: listens for
   * local applications), role 'destination' the listener side (B: connects to the target).
   * For tunnels `drive`/`path` are empty strings.
   */
  tunnel?: TunnelSpec;
}

export interface TunnelSpec {
  /** access point id in this gateway's config */
  accessPoint: string;
  /** host:port the destination (listener) side connects to; checked against its allowed targets */
  target: string;
  lifetimeMinutes: number;
}

export type PrepareResponse =
  | {
      accepted: true;
      mechanism: string;
      publicParams: Record<string, unknown>;
      sealed: Envelope;
      /** signature over OfferSigned (see api.ts) */
      signature: string;
      /** whether the core must consult the peer as destination before answering the researcher */
      needsPeer: boolean;
      /** operations this mechanism supports */
      operations: Array<'pause' | 'resume' | 'cancel'>;
    }
  | { accepted: false; code: 'REJECTED_BY_POLICY' | 'NO_COMMON_MECHANISM' | 'BAD_PATH' | 'NOT_FOUND'; reason: string };

/** POST {prefix}/transfers/{id}/trigger */
export interface GatewayTriggerRequest {
  role: TransferRole;
  envelope: Envelope;
}
export interface GatewayTriggerResponse {
  accepted: true;
  /** true when this exact trigger had already been accepted (idempotent retry) */
  duplicate: boolean;
}

/** POST {prefix}/transfers/{id}/control */
export interface ControlRequest {
  action: 'pause' | 'resume' | 'cancel';
  /**
   * Which side, when one gateway is both source and destination of a transfer (two drives of one
   * site). Without it: pause/resume act on the source side, cancel on every side the gateway holds.
   */
  role?: TransferRole;
}

/** POST {prefix}/transfers/{id}/finalize */
export interface FinalizeRequest {
  outcome: 'succeeded' | 'failed' | 'cancelled' | 'expired';
  /** from the source's completion report, given to the destination to verify */
  manifest?: FileManifest;
  reason?: string;
  /** Which side, when one gateway holds both; without it every side held there is finalized, destination first. */
  role?: TransferRole;
}
export interface FinalizeResponse {
  ok: boolean;
  /** when verification failed: the files that differ */
  mismatches?: Array<{ path: string; expected: string; actual: string | null }>;
  message?: string;
}

/** Relative paths with sizes (and sha256 when verify = checksum). */
export interface FileManifest {
  verify: 'size' | 'checksum';
  files: Array<{ path: string; size: number; sha256?: string }>;
}

/** GET {prefix}/transfers/{id}/status */
export interface GatewayTransferStatus {
  transferId: string;
  role: TransferRole;
  phase: GatewayPhase;
  seq: number;
  progress: ProgressFigures;
  error?: { code: string; message: string };
}

/** POST {prefix}/browse */
export interface BrowseRequest {
  identity: string;
  drive: string;
  path: string;
}
/** Answer to POST {prefix}/browse: the folder's entries, folders first, then by name. */
export type BrowseResponse = FileEntry[];

export type GatewayPhase = 'prepared' | 'triggered' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'finalized';

export interface ProgressFigures {
  bytesDone: number;
  bytesTotal: number | null;
  filesDone: number;
  filesTotal: number | null;
  rate: number | null;
  eta: number | null;
  message: string | null;
}

/**
 * POST /api/gateway/progress (gateway → core, signed). `seq` increases per (transfer, role);
 * the core drops any report whose seq is not greater than the last one it stored.
 */
export interface ProgressReport {
  transferId: string;
  role: TransferRole | 'initiator' | 'listener';
  seq: number;
  phase: GatewayPhase;
  progress: ProgressFigures;
  /** with phase 'completed' from the source */
  manifest?: FileManifest;
  error?: { code: string; message: string };
  /** tunnels */
  tunnel?: { listenAddress: string | null; connectionsOpen: number; connectionsTotal: number; bytesAtoB: number; bytesBtoA: number };
  events?: Array<{ at: string; type: string; message: string }>;
}

/**
 * POST /api/gateway/progress/batch (gateway -> core, signed once for all of them): reports of any
 * transfers this provider is a side of, in any order; several for one transfer are applied in seq order.
 */
export interface ProgressBatchRequest {
  reports: ProgressReport[];
}

/**
 * What became of one report of a batch: applied or dropped (as the single endpoint's 200 answer), or
 * refused with the code the single endpoint would have answered (VALIDATION_FAILED, FORBIDDEN,
 * NOT_FOUND); a refused report changed nothing and should not be resent.
 */
export type ProgressReportOutcome = { applied: boolean; state: string } | { error: { code: string; message: string } };

/** Answer to a ProgressBatchRequest: one outcome per report, in the request's order. */
export interface ProgressBatchResponse {
  results: ProgressReportOutcome[];
}

/** GET {prefix}/access-points: the path (signed by the core like every call under the prefix). */
export const GATEWAY_ACCESS_POINTS_PATH = `${GATEWAY_API_PREFIX}/access-points`;

/**
 * One access point of a tunnel mechanism at a gateway, as GET {prefix}/access-points answers: what
 * its plugin's options say, plus which peers the gateway's policy lets use it. `peers` lists provider
 * ids from the policy rules ('*' = any peer not on the deny list); the deny list is not repeated here.
 */
export interface AccessPointDescriptor {
  id: string;
  /** the mechanism that serves it, e.g. 'stream-tunnel' */
  mechanism: string;
  /** tunnels can start here (role source): local applications connect to bindHost:<a port from portRange> */
  initiator: { bindHost: string; portRange: string; lanSecret: boolean; peers: string[] } | null;
  /** tunnels can end here (role destination): the gateway connects to targets matching these patterns */
  listener: { targets: string[]; peers: string[] } | null;
}

/** Answer to GET {prefix}/access-points. */
export interface AccessPointsResponse {
  providerId: string;
  accessPoints: AccessPointDescriptor[];
}
