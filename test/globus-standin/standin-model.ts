/**
 * Data model of the Globus stand-in: clients and their identities, tokens, collections (each a local
 * folder), ACL rules and transfer tasks. Shapes follow shared/reference/globus-api.md.
 * TEST CODE ONLY: nothing under plugins/ or apps/ may import this folder.
 */

export const TRANSFER_SCOPE = 'urn:globus:auth:scope:transfer.api.globus.org:all';
export const TRANSFER_RESOURCE_SERVER = 'transfer.api.globus.org';

export interface StandinClient {
  clientId: string;
  secret: string;
  /** for Globus Auth clients the identity id is the client id */
  identityId: string;
  username: string;
}

export interface StandinToken {
  token: string;
  identityId: string;
  clientId: string;
  scope: string;
  expiresAt: number;
  kind: 'access' | 'refresh';
}

export type CollectionRole = 'owner' | 'access_manager';

export interface StandinCollection {
  id: string;
  displayName: string;
  /** the local folder that stands for the collection's storage */
  root: string;
  owner: string;
  roles: Map<string, CollectionRole>;
  /** when set, any Transfer call touching this collection answers 403 ConsentRequired */
  consentRequired: string[] | null;
}

export interface AccessRule {
  DATA_TYPE: 'access';
  id: string;
  principal_type: 'identity' | 'group' | 'all_authenticated_users' | 'anonymous';
  principal: string;
  path: string;
  permissions: 'r' | 'rw';
  role_id: null;
  role_type: null;
  create_time: string;
  collectionId: string;
}

export type TaskStatus = 'ACTIVE' | 'INACTIVE' | 'SUCCEEDED' | 'FAILED';

export interface TaskEvent {
  DATA_TYPE: 'event';
  code: string;
  description: string;
  details: string;
  is_error: boolean;
  time: string;
}

export interface TransferItem {
  source_path: string;
  destination_path: string;
  recursive: boolean;
}

/** One file (or empty folder) of a task's expanded plan. */
export interface PlannedFile {
  src: string; // absolute local path
  dst: string; // absolute local path
  size: number;
  copied: number;
  skip: boolean;
  done: boolean;
}

export type FaultKind = 'PermissionDenied' | 'ConsentRequired';

export interface StandinTask {
  task_id: string;
  /** submission order (request_time has only second resolution) */
  seq: number;
  type: 'TRANSFER' | 'DELETE';
  owner: string;
  submission_id: string;
  label: string | null;
  source_endpoint_id: string;
  /** null for DELETE tasks */
  destination_endpoint_id: string | null;
  items: TransferItem[];
  /** DELETE tasks: collection paths to remove (recursive when `recursive`) */
  deleteItems: string[];
  recursive: boolean;
  sync_level: number | null;
  verify_checksum: boolean;
  encrypt_data: boolean;
  deadline: string;
  status: TaskStatus;
  nice_status: string | null;
  nice_status_short_description: string | null;
  fatal_error: { code: string; description: string } | null;
  request_time: string;
  completion_time: string | null;
  started_at: number | null;
  files: number;
  directories: number;
  files_skipped: number;
  files_transferred: number;
  bytes_transferred: number;
  bytes_checksummed: number;
  faults: number;
  is_paused: boolean;
  canceled_by_admin: boolean;
  events: TaskEvent[];
  /** expanded at the first tick it runs */
  plan: PlannedFile[] | null;
  planDirs: string[];
  /** consecutive ticks it could not proceed because of permissions; fails after a few */
  deniedTicks: number;
  /** a fault injected by a test */
  fault: { kind: FaultKind; ticksLeft: number } | null;
  /** a test parked the task as INACTIVE */
  inactive: boolean;
}

export interface StandinSettings {
  /** engine tick period */
  tickMs: number;
  /** bytes each running task copies per tick */
  bytesPerTick: number;
  /** token lifetime for new tokens (expires_in) */
  tokenLifetimeSeconds: number;
  /** running transfer tasks per identity; the rest wait "Queued" */
  maxActivePerIdentity: number;
  /** ticks a task retries a permission error before it fails (Globus retries until the deadline) */
  permissionRetryTicks: number;
  /** added to every response */
  latencyMs: number;
}

export const DEFAULT_SETTINGS: StandinSettings = {
  tickMs: 40,
  bytesPerTick: 256 * 1024,
  tokenLifetimeSeconds: 172800,
  maxActivePerIdentity: 3,
  permissionRetryTicks: 6,
  latencyMs: 0,
};

/** Globus formats times as "2026-01-02T03:04:05+00:00". */
export function globusTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** ls' last_modified format: "2026-01-02 03:04:05+00:00" */
export function lsTime(ms: number): string {
  return globusTime(ms).replace('T', ' ');
}
