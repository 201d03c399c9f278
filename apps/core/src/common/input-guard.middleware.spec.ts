import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import express from 'express';
import { inputGuard, MAX_BODY_DEPTH } from './input-guard.middleware';

describe('inputGuard', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    const app = express();
    app.use(express.json());
    app.use(inputGuard(new Logger('test')));
    app.all('/{*rest}', (_req, res) => void res.json({ passed: true }));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const call = async (path: string, body?: string) => {
    const res = await fetch(base + path, { method: body ? 'POST' : 'GET', headers: { 'content-type': 'application/json' }, body });
    return { status: res.status, body: (await res.json()) as { passed?: true; error?: { code: string } } };
  };

  it('lets ordinary requests through, unicode and all', async () => {
    expect(await call('/api/x/Gr%C3%BC%C3%9Fe?path=a%2Fb', JSON.stringify({ path: 'données/🚢', deep: [[[1]]] }))).toEqual({ status: 200, body: { passed: true } });
  });

  it('refuses NUL in the URL path, the query string and the body', async () => {
    for (const r of [await call('/api/admin/drives/a%00b'), await call('/api/tasks?state=%00'), await call('/api/transfers', JSON.stringify({ label: 'a\u0000' }))]) {
      expect(r).toEqual({ status: 400, body: { error: expect.objectContaining({ code: 'VALIDATION_FAILED' }) } });
    }
    const key = await call('/api/transfers', JSON.stringify({ ['k\u0000']: 1 }));
    expect(key.body.error?.code).toBe('VALIDATION_FAILED');
  });

  it('calls a NUL in a drive path BAD_PATH, as normalizeDrivePath does', async () => {
    expect((await call('/api/transfers', JSON.stringify({ source: { driveId: 'a', path: 'x\u0000/y' } }))).body.error?.code).toBe('BAD_PATH');
    expect((await call('/api/drives/a-data/files?path=x%00')).body.error?.code).toBe('BAD_PATH');
  });

  it(`refuses bodies nested deeper than ${MAX_BODY_DEPTH} levels`, async () => {
    const ok = '['.repeat(MAX_BODY_DEPTH) + ']'.repeat(MAX_BODY_DEPTH);
    expect((await call('/api/x', ok)).status).toBe(200);
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect(await call('/api/x', deep)).toEqual({ status: 400, body: { error: expect.objectContaining({ code: 'VALIDATION_FAILED' }) } });
  });
});
