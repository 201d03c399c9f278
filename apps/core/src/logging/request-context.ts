import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line and audit entry written while serving one request can say about it. */
export interface RequestContext {
  requestId: string;
  /** the transfer (= task) the request is about, once known */
  transferId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * The request a piece of code runs for, carried by AsyncLocalStorage from the HTTP middleware through
 * guards, handlers, repositories and the events they publish, so loggers and the audit log need no
 * request object passed down.
 */
export const requestContext = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  current(): RequestContext | undefined {
    return storage.getStore();
  },
  requestId(): string | null {
    return storage.getStore()?.requestId ?? null;
  },
  /** Names the transfer for the rest of the request (e.g. once CreateTransfer made its id). */
  setTransferId(id: string): void {
    const ctx = storage.getStore();
    if (ctx) ctx.transferId = id;
  },
};
