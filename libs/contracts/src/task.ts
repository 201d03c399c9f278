/** Lifecycle of a background task (a transfer or a tunnel). See docs/protocol.md for the transitions. */
export const TASK_STATES = [
  'NEGOTIATING',
  'REJECTED',
  'AWAITING_TRIGGER',
  'STARTING',
  'RUNNING',
  'PAUSED',
  'FINALIZING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
  'EXPIRED',
  'CLOSED', // tunnels only
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const END_STATES: readonly TaskState[] = ['REJECTED', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED', 'CLOSED'];
export const isEndState = (s: TaskState) => END_STATES.includes(s);

export type TaskKind = 'transfer' | 'tunnel';
export type TaskOperation = 'pause' | 'resume' | 'cancel';

export interface Progress {
  bytesDone: number;
  bytesTotal: number | null;
  filesDone: number;
  filesTotal: number | null;
  /** bytes per second, smoothed by the reporting gateway */
  rate: number | null;
  /** seconds to completion, or null when unknown */
  eta: number | null;
  message: string | null;
}

export interface TunnelInfo {
  listenAddress: string | null; // host:port applications connect to
  connectionsOpen: number;
  connectionsTotal: number;
  bytesAtoB: number;
  bytesBtoA: number;
}

/** Something that happened to a tunnel at one of its gateways (listening, connection opened/closed/refused, stopped). */
export interface TunnelEvent {
  at: string;
  /** which gateway saw it: the initiator (A, role source) or the listener (B, role destination) */
  side: 'initiator' | 'listener';
  type: string;
  message: string;
}

export interface TaskView {
  id: string;
  kind: TaskKind;
  state: TaskState;
  label: string | null;
  mechanism: string | null;
  sourceProviderId: string;
  destinationProviderId: string;
  /** "drive:path" for display */
  sourceLabel: string;
  destinationLabel: string;
  progress: Progress;
  /** the operations the mechanism supports *and* the current state allows */
  operations: TaskOperation[];
  error: { code: string; message: string } | null;
  tunnel?: TunnelInfo;
  /** tunnels, in GET /api/tasks/{id} only: the latest events, oldest first */
  events?: TunnelEvent[];
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface Page<T> {
  items: T[];
  /** opaque keyset cursor for the next page, or null at the end */
  nextCursor: string | null;
}
