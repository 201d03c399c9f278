/**
 * Contract test: the official JavaScript SDK (@globus/sdk, loaded through its CommonJS build, which
 * works under jest on Node 20) talks to the stand-in exactly as it would to Globus. Base URLs are
 * redirected with GLOBUS_SDK_SERVICE_URL_AUTH / GLOBUS_SDK_SERVICE_URL_TRANSFER, which the SDK reads
 * at each request and joins "/v2/..." and "/v0.10/..." onto: hence two servers, each at its root.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { auth, transfer } from '@globus/sdk';
import { GlobusStandin, type StandinClient } from './globus-standin';

const SCOPE = 'urn:globus:auth:scope:transfer.api.globus.org:all';

let g: GlobusStandin;
let tmp: string;
let app: StandinClient; // submits transfers
let owner: StandinClient; // owns the destination guest collection
let srcColl: string;
let dstColl: string;
let appToken: string;
let ownerToken: string;

/** The SDK types token() for authorization_code only (it has no client-credentials helper); Globus takes this form. */
const clientCredentials = { grant_type: 'client_credentials', scope: SCOPE } as never;
const bearer = (t: string) => ({ headers: { Authorization: `Bearer ${t}` } });
const basic = (c: StandinClient) => ({ Authorization: 'Basic ' + Buffer.from(`${c.clientId}:${c.secret}`).toString('base64') });

async function clientToken(c: StandinClient): Promise<string> {
  const res = await auth.oauth2.token.token({ payload: clientCredentials, headers: basic(c) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, unknown>;
  return body.access_token as string;
}

async function waitTask(id: string, token: string, until: (doc: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (;;) {
    const res = await transfer.task.get(id, bearer(token));
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    if (until(doc)) return doc;
    await new Promise((r) => setTimeout(r, 30));
  }
}

beforeAll(async () => {
  g = await GlobusStandin.start({ tickMs: 20, bytesPerTick: 64 * 1024 });
  process.env.GLOBUS_SDK_SERVICE_URL_AUTH = g.authUrl;
  process.env.GLOBUS_SDK_SERVICE_URL_TRANSFER = g.transferUrl;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'globus-sdk-contract-'));
  fs.mkdirSync(path.join(tmp, 'a', 'run', 'sub'), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'b', 'inbox'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'a', 'run', 'one.bin'), Buffer.alloc(200_000, 7));
  fs.writeFileSync(path.join(tmp, 'a', 'run', 'sub', 'two.txt'), 'hello globus\n');
  app = g.registerClient();
  owner = g.registerClient();
  srcColl = g.addCollection({ root: path.join(tmp, 'a'), owner: app.identityId });
  dstColl = g.addCollection({ root: path.join(tmp, 'b'), owner: owner.identityId });
  appToken = await clientToken(app);
  ownerToken = await clientToken(owner);
});

afterAll(async () => {
  await g.stop();
  delete process.env.GLOBUS_SDK_SERVICE_URL_AUTH;
  delete process.env.GLOBUS_SDK_SERVICE_URL_TRANSFER;
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('Globus Auth through the SDK', () => {
  it('client_credentials answers the documented token shape', async () => {
    const res = await auth.oauth2.token.token({ payload: clientCredentials, headers: basic(app) });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.any(String),
      scope: SCOPE,
      expires_in: 172800,
      token_type: 'Bearer',
      resource_server: 'transfer.api.globus.org',
      other_tokens: [],
    });
  });

  it('refresh_token grant works and a bad refresh token is invalid_grant (401)', async () => {
    const rt = g.issueRefreshToken(app.clientId);
    const ok = await auth.oauth2.token.refresh({ payload: { grant_type: 'refresh_token', refresh_token: rt, client_id: app.clientId }, headers: basic(app) });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Record<string, unknown>).access_token).toEqual(expect.any(String));
    const bad = await auth.oauth2.token.refresh({ payload: { grant_type: 'refresh_token', refresh_token: 'nope', client_id: app.clientId }, headers: basic(app) });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('a wrong secret is invalid_client (401)', async () => {
    const res = await auth.oauth2.token.token({
      payload: clientCredentials,
      headers: { Authorization: 'Basic ' + Buffer.from(`${app.clientId}:wrong`).toString('base64') },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });
});

describe('Globus Transfer through the SDK', () => {
  let ruleId: string;

  it('the collection owner grants the app rw with an ACL rule; a second identical rule is 409', async () => {
    const payload = { DATA_TYPE: 'access', principal_type: 'identity', principal: app.identityId, path: '/inbox/', permissions: 'rw' } as const;
    const res = await transfer.access.create(dstColl, { payload, ...bearer(ownerToken) });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ DATA_TYPE: 'access_create_result', code: 'Created', access_id: expect.any(String), request_id: expect.any(String) });
    ruleId = body.access_id as string;
    const again = await transfer.access.create(dstColl, { payload, ...bearer(ownerToken) });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'Conflict', message: expect.any(String), request_id: expect.any(String), resource: expect.any(String) });
    const denied = await transfer.access.create(dstColl, { payload: { ...payload, path: '/other/' }, ...bearer(appToken) });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ code: 'PermissionDenied' });
  });

  it('submit, Duplicate on a reused submission id, poll to SUCCEEDED, files really copied, events paged', async () => {
    const sid = (await (await transfer.taskSubmission.submissionId(bearer(appToken))).json()) as Record<string, unknown>;
    expect(sid).toEqual({ DATA_TYPE: 'submission_id', value: expect.any(String) });
    const payload = {
      submission_id: sid.value as string,
      source_endpoint: srcColl,
      destination_endpoint: dstColl,
      label: 'contract run',
      sync_level: 1 as const, // size: the destination is empty, so everything is copied
      verify_checksum: true,
      encrypt_data: true,
      DATA: [{ DATA_TYPE: 'transfer_item' as const, source_path: '/run/', destination_path: '/inbox/run/', recursive: true }],
    };
    const first = await transfer.taskSubmission.submitTransfer({ payload, ...bearer(appToken) });
    expect(first.status).toBe(202);
    const r1 = (await first.json()) as Record<string, unknown>;
    expect(r1).toMatchObject({ DATA_TYPE: 'transfer_result', code: 'Accepted', task_id: expect.any(String), submission_id: sid.value, resource: '/v0.10/transfer' });
    const dup = (await (await transfer.taskSubmission.submitTransfer({ payload, ...bearer(appToken) })).json()) as Record<string, unknown>;
    expect(dup).toMatchObject({ code: 'Duplicate', task_id: r1.task_id });

    const doc = await waitTask(r1.task_id as string, appToken, (d) => d.status === 'SUCCEEDED' || d.status === 'FAILED');
    expect(doc).toMatchObject({
      DATA_TYPE: 'task',
      task_id: r1.task_id,
      type: 'TRANSFER',
      status: 'SUCCEEDED',
      label: 'contract run',
      nice_status: null,
      fatal_error: null,
      files: 2,
      directories: 2,
      files_transferred: 2,
      bytes_transferred: 200_013,
      bytes_checksummed: 200_013,
      source_endpoint_id: srcColl,
      destination_endpoint_id: dstColl,
      verify_checksum: true,
      encrypt_data: true,
      is_paused: false,
    });
    for (const k of ['request_time', 'completion_time', 'deadline', 'effective_bytes_per_second', 'faults', 'subtasks_total', 'subtasks_succeeded', 'files_skipped', 'nice_status_short_description', 'canceled_by_admin', 'sync_level']) {
      expect(doc).toHaveProperty(k);
    }
    expect(fs.readFileSync(path.join(tmp, 'b', 'inbox', 'run', 'one.bin')).equals(fs.readFileSync(path.join(tmp, 'a', 'run', 'one.bin')))).toBe(true);
    expect(fs.readFileSync(path.join(tmp, 'b', 'inbox', 'run', 'sub', 'two.txt'), 'utf8')).toBe('hello globus\n');

    const p1 = (await (await transfer.task.getEventList(r1.task_id as string, { query: { limit: 1, offset: 0 }, ...bearer(appToken) })).json()) as Record<string, unknown>;
    expect(p1).toMatchObject({ DATA_TYPE: 'event_list', limit: 1, offset: 0, total: 2 });
    expect(p1.DATA).toEqual([{ DATA_TYPE: 'event', code: 'SUCCEEDED', description: expect.any(String), details: expect.any(String), is_error: false, time: expect.any(String) }]);
    const p2 = (await (await transfer.task.getEventList(r1.task_id as string, { query: { limit: 1, offset: 1 }, ...bearer(appToken) })).json()) as Record<string, unknown>;
    expect((p2.DATA as Array<{ code: string }>)[0].code).toBe('STARTED');
  });

  it('ls lists the collection with the documented shape; missing path is 404', async () => {
    const res = await transfer.fileOperations.ls(dstColl, { query: { path: '/inbox/run/' }, ...bearer(ownerToken) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ DATA_TYPE: 'file_list', path: '/inbox/run/' });
    expect(body.DATA).toEqual([
      expect.objectContaining({ DATA_TYPE: 'file', name: 'one.bin', type: 'file', size: 200_000, last_modified: expect.any(String), permissions: expect.any(String) }),
      expect.objectContaining({ DATA_TYPE: 'file', name: 'sub', type: 'dir' }),
    ]);
    const paged = (await (await transfer.fileOperations.ls(dstColl, { query: { path: '/inbox/run/', limit: 1, offset: 1 }, ...bearer(ownerToken) })).json()) as Record<string, unknown>;
    expect((paged.DATA as Array<{ name: string }>).map((e) => e.name)).toEqual(['sub']);
    const missing = await transfer.fileOperations.ls(dstColl, { query: { path: '/nope/' }, ...bearer(ownerToken) });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ClientError.NotFound', request_id: expect.any(String), resource: expect.any(String) });
  });

  it('a transfer into a path without a rule fails with PERMISSION_DENIED', async () => {
    const sid = ((await (await transfer.taskSubmission.submissionId(bearer(appToken))).json()) as { value: string }).value;
    const res = await transfer.taskSubmission.submitTransfer({
      payload: {
        submission_id: sid,
        source_endpoint: srcColl,
        destination_endpoint: dstColl,
        DATA: [{ DATA_TYPE: 'transfer_item' as const, source_path: '/run/one.bin', destination_path: '/elsewhere/one.bin', recursive: false }],
      },
      ...bearer(appToken),
    });
    const id = ((await res.json()) as { task_id: string }).task_id;
    const seen = await waitTask(id, appToken, (d) => d.nice_status === 'PERMISSION_DENIED' || d.status === 'FAILED');
    expect(seen.nice_status === 'PERMISSION_DENIED' || seen.status === 'FAILED').toBe(true);
    const doc = await waitTask(id, appToken, (d) => d.status === 'FAILED');
    expect(doc.fatal_error).toEqual({ code: 'PERMISSION_DENIED', description: expect.stringContaining('Permission denied') });
    expect(fs.existsSync(path.join(tmp, 'b', 'elsewhere'))).toBe(false);
  });

  it('cancel a running task; task_list pages and filters; at most 3 active per identity, others Queued', async () => {
    g.setBytesPerTick(1); // keep them running
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const sid = ((await (await transfer.taskSubmission.submissionId(bearer(appToken))).json()) as { value: string }).value;
      const res = await transfer.taskSubmission.submitTransfer({
        payload: {
          submission_id: sid,
          source_endpoint: srcColl,
          destination_endpoint: dstColl,
          label: `slow ${i}`,
          DATA: [{ DATA_TYPE: 'transfer_item' as const, source_path: '/run/one.bin', destination_path: `/inbox/slow-${i}.bin` }],
        },
        ...bearer(appToken),
      });
      ids.push(((await res.json()) as { task_id: string }).task_id);
    }
    // a task is Queued from submission until a scheduling tick looks at it: wait for a tick that saw
    // the third one (it then runs, and the two after it stay Queued)
    await waitTask(ids[2], appToken, (d) => d.nice_status === 'OK');
    await waitTask(ids[4], appToken, (d) => d.nice_status === 'Queued');
    const active = (await (await transfer.task.getAll({ query: { filter: 'type:TRANSFER/status:ACTIVE,INACTIVE', limit: 2, offset: 0 }, ...bearer(appToken) })).json()) as Record<string, unknown>;
    expect(active).toMatchObject({ DATA_TYPE: 'task_list', length: 2, limit: 2, offset: 0, total: 5 });
    const all = (await (await transfer.task.getAll({ query: { filter: `task_id:${ids.join(',')}`, limit: 1000 }, ...bearer(appToken) })).json()) as { DATA: Array<Record<string, unknown>> };
    const running = all.DATA.filter((d) => d.nice_status !== 'Queued');
    expect(running).toHaveLength(3);
    expect(all.DATA.filter((d) => d.nice_status === 'Queued')).toHaveLength(2);

    const cancel = await transfer.task.cancel(ids[0], bearer(appToken));
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toMatchObject({ DATA_TYPE: 'result', code: 'Canceled', message: expect.any(String), resource: expect.any(String), request_id: expect.any(String) });
    const doc = await waitTask(ids[0], appToken, () => true);
    expect(doc).toMatchObject({ status: 'FAILED', fatal_error: { code: 'CANCELED', description: expect.any(String) } });
    for (const id of ids.slice(1)) await transfer.task.cancel(id, bearer(appToken));
    g.setBytesPerTick(64 * 1024);
  });

  it('ACL rule delete answers Deleted, then 404', async () => {
    const res = await transfer.access.remove({ endpoint_xid: dstColl, id: ruleId }, bearer(ownerToken));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ DATA_TYPE: 'result', code: 'Deleted' });
    const again = await transfer.access.remove({ endpoint_xid: dstColl, id: ruleId }, bearer(ownerToken));
    expect(again.status).toBe(404);
  });

  it('errors: 401 bad token, 404 unknown task and endpoint, 400 bad submit, 403 ConsentRequired, 429/503 with Retry-After', async () => {
    const unauth = await transfer.task.get('0b3c5f6e-1111-2222-3333-444455556666', bearer('not-a-token'));
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toMatchObject({ code: 'AuthenticationFailed' });
    const missing = await transfer.task.get('0b3c5f6e-1111-2222-3333-444455556666', bearer(appToken));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ClientError.NotFound' });
    const noEndpoint = await transfer.fileOperations.ls('0b3c5f6e-1111-2222-3333-444455556666', { query: { path: '/' }, ...bearer(appToken) });
    expect(noEndpoint.status).toBe(404);
    expect(await noEndpoint.json()).toMatchObject({ code: 'EndpointNotFound' });
    const badSubmit = await transfer.taskSubmission.submitTransfer({ payload: { submission_id: 'x', DATA: [] } as never, ...bearer(appToken) });
    expect(badSubmit.status).toBe(400);
    expect(((await badSubmit.json()) as { code: string }).code).toMatch(/^ClientError\.BadRequest/);

    g.requireConsent(dstColl);
    const sid = ((await (await transfer.taskSubmission.submissionId(bearer(appToken))).json()) as { value: string }).value;
    const consent = await transfer.taskSubmission.submitTransfer({
      payload: { submission_id: sid, source_endpoint: srcColl, destination_endpoint: dstColl, DATA: [{ DATA_TYPE: 'transfer_item' as const, source_path: '/run/', destination_path: '/inbox/x/', recursive: true }] },
      ...bearer(appToken),
    });
    expect(consent.status).toBe(403);
    expect(await consent.json()).toMatchObject({ code: 'ConsentRequired', required_scopes: [expect.stringContaining('data_access')] });
    g.requireConsent(dstColl, false);

    g.failNext({ count: 1, status: 429, retryAfterSeconds: 3 });
    const throttled = await transfer.taskSubmission.submissionId(bearer(appToken));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    g.failNext({ count: 1, status: 503, retryAfterSeconds: 1 });
    const down = await transfer.taskSubmission.submissionId(bearer(appToken));
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect(await down.json()).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('expired tokens are refused with 401 until a new one is fetched', async () => {
    g.expireAllTokens();
    const res = await transfer.taskSubmission.submissionId(bearer(appToken));
    expect(res.status).toBe(401);
    appToken = await clientToken(app);
    expect((await transfer.taskSubmission.submissionId(bearer(appToken))).status).toBe(200);
  });
});
