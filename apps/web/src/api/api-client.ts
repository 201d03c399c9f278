import type {
  CreateTransferRequest,
  DriveView,
  FileListing,
  Page,
  ProviderView,
  TaskOperation,
  TaskState,
  TaskView,
  TransferView,
  TriggerRequest,
} from '@ferry/contracts';
import { ApiError } from './api-error';

export interface TaskQuery {
  state?: TaskState[];
  kind?: 'transfer' | 'tunnel';
  limit?: number;
  cursor?: string | null;
}

/** Accepts either a bare array or a Page, so a list endpoint's paging can change without breaking us. */
function items<T>(x: T[] | Page<T> | { items: T[] }): T[] {
  return Array.isArray(x) ? x : x.items;
}

/** Thin typed wrapper over the core's researcher API (/api, Bearer token). */
export class ApiClient {
  constructor(
    readonly token: string,
    private readonly base = '',
  ) {}

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        cache: 'no-store',
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new ApiError('NETWORK', `could not reach the ferry core (${(e as Error).message})`);
    }
    if (!res.ok) throw await ApiError.fromResponse(res);
    if (res.status === 204) return undefined as T;
    try {
      return (await res.json()) as T;
    } catch {
      throw new ApiError('BAD_RESPONSE', `the core answered ${method} ${path} with something that is not JSON`, res.status);
    }
  }

  /** who the token belongs to */
  me(): Promise<{ name: string; admin: boolean }> {
    return this.request('GET', '/api/me');
  }

  async drives(): Promise<DriveView[]> {
    return items(await this.request<DriveView[] | Page<DriveView>>('GET', '/api/drives'));
  }

  files(driveId: string, path: string, signal?: AbortSignal): Promise<FileListing> {
    const q = new URLSearchParams({ path });
    return this.request('GET', `/api/drives/${encodeURIComponent(driveId)}/files?${q}`, undefined, signal);
  }

  async providers(): Promise<ProviderView[]> {
    return items(await this.request<ProviderView[] | Page<ProviderView>>('GET', '/api/providers'));
  }

  createTransfer(req: CreateTransferRequest): Promise<TransferView> {
    return this.request('POST', '/api/transfers', req);
  }

  transfer(id: string): Promise<TransferView> {
    return this.request('GET', `/api/transfers/${encodeURIComponent(id)}`);
  }

  trigger(id: string, req: TriggerRequest): Promise<TransferView> {
    return this.request('POST', `/api/transfers/${encodeURIComponent(id)}/trigger`, req);
  }

  tasks(q: TaskQuery = {}, signal?: AbortSignal): Promise<Page<TaskView>> {
    const p = new URLSearchParams();
    for (const s of q.state ?? []) p.append('state', s);
    if (q.kind) p.set('kind', q.kind);
    if (q.limit) p.set('limit', String(q.limit));
    if (q.cursor) p.set('cursor', q.cursor);
    const qs = p.toString();
    return this.request('GET', `/api/tasks${qs ? `?${qs}` : ''}`, undefined, signal);
  }

  task(id: string): Promise<TaskView> {
    return this.request('GET', `/api/tasks/${encodeURIComponent(id)}`);
  }

  operate(id: string, op: TaskOperation): Promise<TaskView> {
    return this.request('POST', `/api/tasks/${encodeURIComponent(id)}/${op}`, {});
  }
}
