import { GlobusApiError } from './globus-api.error';
import type {
  GlobusAccessRule,
  GlobusEventList,
  GlobusFileEntry,
  GlobusFileList,
  GlobusTaskDocument,
  GlobusTaskList,
  GlobusTransferDocument,
  GlobusTransferResult,
} from './globus.types';
import type { RequestOptions, TransferHttpClient } from './transfer-http.client';

const enc = encodeURIComponent;

/** The Transfer v0.10 calls ferry makes, typed. Errors are GlobusApiError / GlobusNetworkError. */
export class TransferApiClient {
  constructor(private readonly http: TransferHttpClient) {}

  get requestCount(): number {
    return this.http.requests;
  }

  async submissionId(): Promise<string> {
    const r = await this.http.request<{ value: string }>('GET', '/v0.10/submission_id');
    return r.value;
  }

  submitTransfer(doc: GlobusTransferDocument): Promise<GlobusTransferResult> {
    // safe to retry: Globus answers a repeated submission_id with Duplicate and the first task id
    return this.http.request('POST', '/v0.10/transfer', { body: doc });
  }

  /** A Globus delete task on one collection (submission id for idempotency, like transfers). */
  async submitDelete(collectionId: string, paths: string[], label: string): Promise<string> {
    const submissionId = await this.submissionId();
    const r = await this.http.request<{ task_id: string }>('POST', '/v0.10/delete', {
      body: {
        DATA_TYPE: 'delete',
        submission_id: submissionId,
        endpoint: collectionId,
        label,
        recursive: true,
        ignore_missing: true,
        DATA: paths.map((path) => ({ DATA_TYPE: 'delete_item', path })),
      },
    });
    return r.task_id;
  }

  getTask(taskId: string, o?: RequestOptions): Promise<GlobusTaskDocument> {
    return this.http.request('GET', `/v0.10/task/${enc(taskId)}`, o);
  }

  /** Up to 50 tasks in one call, by id. */
  tasksById(taskIds: string[], o?: RequestOptions): Promise<GlobusTaskList> {
    return this.http.request('GET', '/v0.10/task_list', {
      ...o,
      query: { filter: `type:TRANSFER/task_id:${taskIds.join(',')}`, limit: Math.max(taskIds.length, 1), offset: 0 },
    });
  }

  eventList(taskId: string, limit = 10, offset = 0): Promise<GlobusEventList> {
    return this.http.request('GET', `/v0.10/task/${enc(taskId)}/event_list`, { query: { limit, offset } });
  }

  /** 'Canceled', or 'TaskComplete' when it had already ended. */
  async cancelTask(taskId: string): Promise<string> {
    const r = await this.http.request<{ code: string }>('POST', `/v0.10/task/${enc(taskId)}/cancel`);
    return r.code;
  }

  async createAccessRule(collectionId: string, rule: { principal: string; path: string; permissions: 'r' | 'rw' }): Promise<string> {
    const r = await this.http.request<{ access_id: string }>('POST', `/v0.10/endpoint/${enc(collectionId)}/access`, {
      body: { DATA_TYPE: 'access', principal_type: 'identity', ...rule },
    });
    return r.access_id;
  }

  async accessRules(collectionId: string): Promise<GlobusAccessRule[]> {
    const r = await this.http.request<{ DATA: GlobusAccessRule[] }>('GET', `/v0.10/endpoint/${enc(collectionId)}/access_list`);
    return r.DATA;
  }

  /** Deletes a rule; a rule that is already gone counts as deleted. */
  async deleteAccessRule(collectionId: string, ruleId: string): Promise<void> {
    try {
      await this.http.request('DELETE', `/v0.10/endpoint/${enc(collectionId)}/access/${enc(ruleId)}`);
    } catch (e) {
      if (e instanceof GlobusApiError && e.status === 404) return;
      throw e;
    }
  }

  stat(collectionId: string, path: string): Promise<GlobusFileEntry> {
    return this.http.request('GET', `/v0.10/operation/endpoint/${enc(collectionId)}/stat`, { query: { path } });
  }

  /** Every entry of a folder, page by page. */
  async lsAll(collectionId: string, path: string, pageSize: number): Promise<GlobusFileEntry[]> {
    const out: GlobusFileEntry[] = [];
    for (let offset = 0; ; ) {
      const page = await this.http.request<GlobusFileList>('GET', `/v0.10/operation/endpoint/${enc(collectionId)}/ls`, {
        query: { path, limit: pageSize, offset },
      });
      out.push(...page.DATA);
      offset += page.DATA.length;
      const more = typeof page.total === 'number' ? offset < page.total : page.DATA.length === pageSize;
      if (!more || page.DATA.length === 0) return out;
    }
  }
}
