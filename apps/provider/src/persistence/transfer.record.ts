import type {
  FileManifest,
  FinalizeResponse,
  GatewayPhase,
  PeerDescriptor,
  PrepareResponse,
  ProgressFigures,
  TransferOptions,
  TransferRole,
  TunnelSpec,
} from '@ferry/contracts';
import type { FinalizeOutcome } from '@ferry/plugin-sdk';

/**
 * 'preparing' is the gateway's own phase between claiming a transfer id and the plugin's answer;
 * the protocol never shows it (status reports it as 'prepared').
 */
export type StoredPhase = GatewayPhase | 'preparing';

/** Phases in which nothing runs any more at this gateway (finalize may still be due). */
export const ENDED_PHASES: readonly StoredPhase[] = ['completed', 'failed', 'cancelled', 'finalized'];
/** Phases a restart must pick up again with plugin.recover. */
export const RUNNING_PHASES: readonly StoredPhase[] = ['triggered', 'running', 'paused'];
/** Prepared but untriggered: expire when the trigger deadline passes. */
export const UNTRIGGERED_PHASES: readonly StoredPhase[] = ['preparing', 'prepared'];

export interface TransferKey {
  transferId: string;
  role: TransferRole;
}

export interface TransferRecord extends TransferKey {
  mechanism: string;
  phase: StoredPhase;
  outcome: FinalizeOutcome | null;
  identity: string;
  drive: string;
  path: string;
  options: TransferOptions;
  peer: PeerDescriptor;
  tunnel: TunnelSpec | null;
  userPublicKey: string;
  requestHash: string;
  triggerDeadline: Date;
  triggerTokenHash: string | null;
  triggerEnvelopeHash: string | null;
  prepareResponse: PrepareResponse | null;
  finalizeResponse: FinalizeResponse | null;
  pluginState: Record<string, unknown>;
  seq: number;
  reportPending: boolean;
  progress: ProgressFigures;
  /**
   * The completion's manifest, on records from listReportPending only (a completion that may have
   * to be sent again); absent on the others, which never need it (see RECORD_COLUMNS).
   */
  manifest?: FileManifest | null;
  error: { code: string; message: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewTransfer = Pick<
  TransferRecord,
  | 'transferId'
  | 'role'
  | 'mechanism'
  | 'identity'
  | 'drive'
  | 'path'
  | 'options'
  | 'peer'
  | 'tunnel'
  | 'userPublicKey'
  | 'requestHash'
  | 'triggerDeadline'
>;

/** Extra columns a phase transition may set at the same time. */
export interface TransitionChanges {
  outcome?: FinalizeOutcome;
  error?: { code: string; message: string } | null;
  manifest?: FileManifest;
  finalizeResponse?: FinalizeResponse;
}
