import type { FileManifest, PeerDescriptor, ProgressFigures, TransferOptions, TunnelSpec } from '@ferry/contracts';
import type { PluginContext } from './plugin-context';

/**
 * The contract a mechanism plugin implements. A plugin is written only against this package
 * (and @ferry/crypto); it never sees the Nest container, the database or the core.
 *
 * Lifecycle of one transfer at one gateway (the gateway calls; the plugin never calls itself):
 *
 *   source gateway:       prepareSource → trigger → (pause/resume)* → finalize
 *   destination gateway:  prepareDestination → trigger → finalize
 *   either, any time:     cancel;  after a gateway restart: recover
 *
 * Every method is idempotent for the same transfer: the gateway retries after crashes and network
 * failures, so a second call with the same handle must not create a second grant, key or upload.
 * Throw MechanismError (see mechanism.error.ts) for expected failures; anything else is treated
 * as a bug and reported as an internal error.
 */
export interface MechanismPlugin {
  /** mechanism id, e.g. 'sftp'; must equal the definition's id */
  readonly id: string;
  /** what this mechanism can do beyond the required methods; the task page offers only these */
  readonly abilities: Abilities;

  /** Called once when the gateway starts (start servers, pollers) and before any other method. */
  start?(): Promise<void>;
  /** Called once on shutdown; close servers, stop timers, leave persisted state as it is. */
  stop?(): Promise<void>;

  /**
   * Source side of negotiation. Decide the parameters this site offers and return them.
   * Throw MechanismError 'REJECTED' to refuse (e.g. path missing or not readable).
   */
  prepareSource(t: TransferHandle): Promise<Preparation>;

  /**
   * Destination side of negotiation, given the source's public parameters.
   * Typically mints a one-time grant (returned in forPeer, so only the researcher and the source see it).
   */
  prepareDestination(t: TransferHandle, sourcePublicParams: Record<string, unknown>): Promise<Preparation>;

  /**
   * The researcher's trigger, already opened and checked by the gateway (token, binding, replay).
   * `peer` is the other side's Preparation.forPeer as the researcher forwarded it.
   * Destination: install the grant (e.g. authorize the source's ephemeral key) and return.
   * Source: start moving data in the background and return once it has started; report through
   * t.report(), and end with exactly one of t.complete() or t.fail().
   */
  trigger(t: TransferHandle, peer: Record<string, unknown>, user?: Record<string, unknown>): Promise<void>;

  /**
   * Stop the transfer for good: abort data movement, revoke grants, remove partial files.
   * Called on both sides. Must succeed even if trigger was never called.
   */
  cancel(t: TransferHandle): Promise<void>;

  /**
   * End of a transfer. Destination: with outcome 'succeeded', verify what arrived against the
   * manifest (size, or sha256 when manifest.verify = 'checksum') and report mismatches; in every case
   * revoke grants. Source: release ephemeral keys and state. Must be idempotent.
   */
  finalize(t: TransferHandle, outcome: FinalizeOutcome, manifest?: FileManifest): Promise<FinalizeResult>;

  /**
   * After a gateway restart, for each transfer of this mechanism that was triggered and not ended:
   * resume it (source: continue from what the destination already has) or fail it with t.fail().
   * Nothing may stay 'running' forever.
   */
  recover(t: TransferHandle): Promise<void>;
}

/** Optional ability: pause and resume. Declared with abilities.pause = abilities.resume = true. */
export interface Pausable {
  pause(t: TransferHandle): Promise<void>;
  resume(t: TransferHandle): Promise<void>;
}

/** Optional ability: browse a drive that is not a local folder (e.g. a Globus collection). */
export interface Browsable {
  browse(drive: DriveBinding, identity: LocalIdentity, path: string): Promise<BrowseEntry[]>;
}

/**
 * Optional ability: a mechanism whose transfers start and end at named access points (stream
 * tunnels) lists them, so the gateway can answer GET /ferry/v1/access-points. Detected by the
 * method's presence (see hasAccessPoints); the gateway adds its policy's peers.
 */
export interface AccessPointDirectory {
  /** What the operator configured; synchronous and cheap (called on every discovery request). */
  accessPoints(): AccessPointInfo[];
}

export interface AccessPointInfo {
  id: string;
  /** tunnels can start here (role source): local applications connect to bindHost:<a port from portRange> */
  initiator: { bindHost: string; portRange: string; lanSecret: boolean } | null;
  /** tunnels can end here (role destination): the gateway connects to targets matching these patterns */
  listener: { targets: string[] } | null;
}

export interface Abilities {
  pause: boolean;
  resume: boolean;
  cancel: boolean;
  /** can verify by sha256 at the destination */
  checksum: boolean;
  /** implements Browsable for its drives */
  browse: boolean;
}

export type FinalizeOutcome = 'succeeded' | 'failed' | 'cancelled' | 'expired';

export interface FinalizeResult {
  ok: boolean;
  mismatches?: Array<{ path: string; expected: string; actual: string | null }>;
  message?: string;
}

export interface Preparation {
  /** visible to the core, the peer gateway and the researcher; signed by this gateway */
  publicParams: Record<string, unknown>;
  /** sealed to the researcher, who forwards it in the peer's trigger; may hold grant tokens */
  forPeer: Record<string, unknown>;
  /** plugin-private state persisted by the gateway with the transfer (no secrets: use ctx.secrets) */
  state?: Record<string, unknown>;
}

export interface BrowseEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  modified: string;
}

/** An account at this site, from the gateway's identity map. */
export interface LocalIdentity {
  /** the identity name the core sent (its mapping for the user) */
  name: string;
  /** local POSIX account used by OpenSSH-based mechanisms; defaults to name */
  account: string;
  /** anything else the operator configured for this identity */
  attributes: Record<string, unknown>;
}

/** A drive as the gateway's config defines it. */
export interface DriveBinding {
  id: string;
  /** absolute local folder for local drives (sftp, rsync); for other backends, whatever they need */
  root: string;
  /** backend-specific settings, e.g. { collectionId } for Globus */
  attributes: Record<string, unknown>;
}

/**
 * One transfer as a plugin sees it. The gateway builds it from its own persisted record, so the
 * same handle comes back after a restart (with the state saved through saveState).
 */
export interface TransferHandle {
  readonly id: string;
  readonly role: 'source' | 'destination';
  readonly identity: LocalIdentity;
  readonly drive: DriveBinding;
  /** normalized relative path inside the drive ('' = root); already checked not to escape */
  readonly path: string;
  /** drive.root joined with path, for local drives */
  readonly localPath: string;
  readonly options: TransferOptions;
  readonly peer: PeerDescriptor;
  readonly triggerDeadline: Date;
  /** plugin-private state: Preparation.state merged with every saveState patch */
  readonly state: Readonly<Record<string, unknown>>;
  /** Merge `patch` into the persisted state (awaited: it is on disk when this resolves). */
  saveState(patch: Record<string, unknown>): Promise<void>;
  /** Progress so far; the gateway throttles and forwards at most a few reports a second. */
  report(progress: Partial<ProgressFigures>): void;
  /** Source only: every byte is at the destination. The manifest goes to the destination's finalize. */
  complete(manifest: FileManifest): void;
  /** The transfer cannot go on. */
  fail(code: string, message: string): void;
  /** Aborted when the transfer is cancelled or the gateway stops. */
  readonly signal: AbortSignal;
  /** Stream tunnels only: which access point, which target, how long (see TunnelSpec). */
  readonly tunnel?: TunnelSpec;
  /**
   * Stream tunnels only: live figures (listen address, connections, bytes each way) and events,
   * forwarded to the core like progress.
   */
  reportTunnel?(info: TunnelFigures, event?: { type: string; message: string }): void;
}

export interface TunnelFigures {
  listenAddress: string | null;
  connectionsOpen: number;
  connectionsTotal: number;
  bytesAtoB: number;
  bytesBtoA: number;
}

/**
 * A plugin package default-exports (or exports as `plugin`) the value of definePlugin(...).
 * The gateway validates `options` with optionsSchema before calling create, so create gets typed,
 * valid options or is never called.
 */
export interface PluginDefinition<O = unknown> {
  id: string;
  version: string;
  description: string;
  /** parses raw options from the gateway config; throws with readable messages when invalid */
  optionsSchema: OptionsSchema<O>;
  create(ctx: PluginContext<O>): MechanismPlugin;
}

/** Anything with zod's `parse` shape works; zod itself is the usual choice. */
export interface OptionsSchema<O> {
  parse(raw: unknown): O;
}

export function definePlugin<O>(def: PluginDefinition<O>): PluginDefinition<O> {
  return def;
}

export function isPausable(p: MechanismPlugin): p is MechanismPlugin & Pausable {
  return p.abilities.pause && typeof (p as Partial<Pausable>).pause === 'function';
}
export function isBrowsable(p: MechanismPlugin): p is MechanismPlugin & Browsable {
  return p.abilities.browse && typeof (p as Partial<Browsable>).browse === 'function';
}
export function hasAccessPoints(p: MechanismPlugin): p is MechanismPlugin & AccessPointDirectory {
  return typeof (p as Partial<AccessPointDirectory>).accessPoints === 'function';
}
