/** The Globus Transfer v0.10 documents the plugin reads (fields it does not use are left out). */

export type GlobusTaskStatus = 'ACTIVE' | 'INACTIVE' | 'SUCCEEDED' | 'FAILED';

export interface GlobusTaskDocument {
  DATA_TYPE: 'task';
  task_id: string;
  type: string;
  status: GlobusTaskStatus;
  label: string | null;
  nice_status: string | null;
  nice_status_short_description?: string | null;
  fatal_error: { code: string; description: string } | null;
  request_time?: string;
  completion_time?: string | null;
  files: number;
  directories?: number;
  files_skipped?: number;
  files_transferred: number;
  bytes_transferred: number;
  bytes_checksummed?: number;
  effective_bytes_per_second: number;
  faults?: number;
  is_paused?: boolean;
}

export interface GlobusTransferResult {
  DATA_TYPE: 'transfer_result';
  code: 'Accepted' | 'Duplicate' | string;
  task_id: string;
  submission_id: string;
  message?: string;
}

export interface GlobusTransferItem {
  DATA_TYPE: 'transfer_item';
  source_path: string;
  destination_path: string;
  recursive: boolean;
}

export interface GlobusTransferDocument {
  DATA_TYPE: 'transfer';
  submission_id: string;
  source_endpoint: string;
  destination_endpoint: string;
  label: string;
  /** 0 exists, 1 size, 2 mtime, 3 checksum; absent: always copy */
  sync_level?: 0 | 1 | 2 | 3;
  verify_checksum: boolean;
  encrypt_data: boolean;
  DATA: GlobusTransferItem[];
}

export interface GlobusFileEntry {
  DATA_TYPE: 'file';
  name: string;
  type: 'file' | 'dir' | 'link' | string;
  size: number;
  last_modified: string | null;
  permissions?: string;
}

export interface GlobusFileList {
  DATA_TYPE: 'file_list';
  DATA: GlobusFileEntry[];
  path?: string;
  length?: number;
  total?: number;
}

export interface GlobusTaskList {
  DATA_TYPE: 'task_list';
  DATA: GlobusTaskDocument[];
  length: number;
  limit: number;
  offset: number;
  total: number;
}

export interface GlobusEvent {
  DATA_TYPE: 'event';
  code: string;
  description: string;
  details: string;
  is_error: boolean;
  time: string;
}

export interface GlobusEventList {
  DATA_TYPE: 'event_list';
  DATA: GlobusEvent[];
  limit: number;
  offset: number;
  total: number;
}

export interface GlobusAccessRule {
  DATA_TYPE: 'access';
  id: string;
  principal_type: string;
  principal: string;
  path: string;
  permissions: string;
}
