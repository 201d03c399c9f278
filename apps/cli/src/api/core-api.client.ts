import type {
  CreateTransferRequest,
  CreateTunnelRequest,
  DriveView,
  FileListing,
  Page,
  ProviderAccessPoints,
  ProviderView,
  TaskKind,
  TaskOperation,
  TaskState,
  TaskView,
  TransferView,
  TriggerRequest,
  TunnelView,
} from '@ferry/contracts';
import { ApiError } from './api.error';

export interface CoreApiOptions {
  url: string;
  token: string;
  /** for tests: a different fetch */
  fetch?: typeof fetch;
}

export interface TaskFilter {
  state?: TaskState[];
  kind?: TaskKind;
  limit?: number;
  cursor?: string;
}

/**
 * The core's researcher API (/api), one method per endpoint, nothing else. Errors come back as
 * ApiError with the core's stable code; a core that cannot be reached is CORE_UNREACHABLE.
 */
export class CoreApiClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly opts: CoreApiOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.doFetch = opts.fetch ?? fetch;
  }

  get url(): string {
    return this.base;
  }

  createTransfer(req: CreateTransferRequest): Promise<TransferView> {
    return this.call('POST', '/api/transfers', req);
  }
  getTransfer(id: string): Promise<TransferView> {
    return this.call('GET', `/api/transfers/${enc(id)}`);
  }
  trigger(id: string, req: TriggerRequest): Promise<TransferView> {
    return this.call('POST', `/api/transfers/${enc(id)}/trigger`, req);
  }
  providers(): Promise<ProviderView[]> {
    return this.call<ProviderView[] | Page<ProviderView>>('GET', '/api/providers').then(items);
  }
  drives(): Promise<DriveView[]> {
    return this.call<DriveView[] | Page<DriveView>>('GET', '/api/drives').then(items);
  }
  listFiles(driveId: string, path: string): Promise<FileListing> {
    return this.call('GET', `/api/drives/${enc(driveId)}/files?path=${enc(path)}`);
  }
  tasks(filter: TaskFilter = {}): Promise<Page<TaskView>> {
    const q = new URLSearchParams();
    for (const s of filter.state ?? []) q.append('state', s);
    if (filter.kind) q.set('kind', filter.kind);
    if (filter.limit) q.set('limit', String(filter.limit));
    if (filter.cursor) q.set('cursor', filter.cursor);
    const qs = q.toString();
    return this.call('GET', `/api/tasks${qs ? `?${qs}` : ''}`);
  }
  /** every page of a task list */
  async allTasks(filter: TaskFilter = {}): Promise<TaskView[]> {
    const out: TaskView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.tasks({ ...filter, cursor, limit: filter.limit ?? 200 });
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }
  task(id: string): Promise<TaskView> {
    return this.call('GET', `/api/tasks/${enc(id)}`);
  }
  control(id: string, action: TaskOperation): Promise<TaskView> {
    return this.call('POST', `/api/tasks/${enc(id)}/${action}`, {});
  }
  accessPoints(): Promise<ProviderAccessPoints[]> {
    return this.call('GET', '/api/access-points');
  }
  createTunnel(req: CreateTunnelRequest): Promise<TunnelView> {
    return this.call('POST', '/api/tunnels', req);
  }
  triggerTunnel(id: string, req: TriggerRequest): Promise<TunnelView> {
    return this.call('POST', `/api/tunnels/${enc(id)}/trigger`, req);
  }
  tunnel(id: string): Promise<TunnelView> {
    return this.call('GET', `/api/tunnels/${enc(id)}`);
  }
  tunnels(filter: Omit<TaskFilter, 'kind'> = {}): Promise<Page<TunnelView>> {
    const q = new URLSearchParams();
    for (const s of filter.state ?? []) q.append('state', s);
    if (filter.limit) q.set('limit', String(filter.limit));
    if (filter.cursor) q.set('cursor', filter.cursor);
    const qs = q.toString();
    return this.call('GET', `/api/tunnels${qs ? `?${qs}` : ''}`);
  }
  /** every page of the tunnel list */
  async allTunnels(filter: Omit<TaskFilter, 'kind' | 'cursor'> = {}): Promise<TunnelView[]> {
    const out: TunnelView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.tunnels({ ...filter, cursor, limit: filter.limit ?? 200 });
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  /** Raw call for anything not covered above (tests use it to send bad input). */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await this.doFetch(this.base + path, {
        method,
        headers: {
          authorization: `Bearer ${this.opts.token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      throw new ApiError('CORE_UNREACHABLE', `cannot reach the ferry core at ${this.base} (${cause})`, 0);
    }
    if (!res.ok) throw await ApiError.fromResponse(res);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      throw new ApiError('BAD_RESPONSE', `the core answered ${path} with something that is not JSON`, res.status);
    }
  }
}

const enc = encodeURIComponent;
function items<T>(x: T[] | Page<T>): T[] {
  return Array.isArray(x) ? x : x.items;
}
