import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TransferApiError, intParam, readJson, requestId, sendJson } from './standin-http.util';
import { globusTime, lsTime, type AccessRule, type StandinTask, type TransferItem } from './standin-model';
import { asDir, normalizeCollectionPath, type StandinRegistry } from './standin-registry';
import type { StandinTaskEngine } from './standin-task.engine';
import { taskDocument } from './standin-task.view';

type Ctx = { reg: StandinRegistry; engine: StandinTaskEngine; identity: string; q: URLSearchParams; req: IncomingMessage; resource: string };
type Route = { method: string; re: RegExp; run: (ctx: Ctx, m: RegExpExecArray) => Promise<[number, unknown]> | [number, unknown] };

/** Transfer API v0.10 routes, at the root path (the JS SDK joins "/v0.10/..." onto the base URL). */
const routes: Route[] = [
  { method: 'GET', re: /^\/v0\.10\/submission_id$/, run: submissionId },
  { method: 'POST', re: /^\/v0\.10\/transfer$/, run: submitTransfer },
  { method: 'POST', re: /^\/v0\.10\/delete$/, run: submitDelete },
  { method: 'GET', re: /^\/v0\.10\/task_list$/, run: taskList },
  { method: 'GET', re: /^\/v0\.10\/task\/([^/]+)$/, run: (c, m) => [200, taskDocument(ownTask(c, m[1]))] },
  { method: 'GET', re: /^\/v0\.10\/task\/([^/]+)\/event_list$/, run: eventList },
  { method: 'POST', re: /^\/v0\.10\/task\/([^/]+)\/cancel$/, run: cancelTask },
  { method: 'POST', re: /^\/v0\.10\/endpoint\/([^/]+)\/access$/, run: createRule },
  { method: 'GET', re: /^\/v0\.10\/endpoint\/([^/]+)\/access_list$/, run: listRules },
  { method: 'GET', re: /^\/v0\.10\/endpoint\/([^/]+)\/access\/([^/]+)$/, run: (c, m) => [200, publicRule(ruleOf(c, m[1], m[2]))] },
  { method: 'DELETE', re: /^\/v0\.10\/endpoint\/([^/]+)\/access\/([^/]+)$/, run: deleteRule },
  { method: 'GET', re: /^\/v0\.10\/operation\/endpoint\/([^/]+)\/ls$/, run: ls },
  { method: 'GET', re: /^\/v0\.10\/operation\/endpoint\/([^/]+)\/stat$/, run: stat },
];

export async function handleTransfer(
  reg: StandinRegistry,
  engine: StandinTaskEngine,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const resource = url.pathname;
  const matching = routes.filter((r) => r.re.test(url.pathname));
  if (matching.length === 0) throw new TransferApiError(404, 'ClientError.NotFound', `No such resource ${url.pathname}`);
  const route = matching.find((r) => r.method === req.method);
  if (!route) throw new TransferApiError(405, 'ClientError.MethodNotAllowed', `${req.method} not allowed on ${url.pathname}`);
  const token = reg.authenticate(req.headers.authorization);
  const m = route.re.exec(url.pathname)!;
  const [status, body] = await route.run({ reg, engine, identity: token.identityId, q: url.searchParams, req, resource }, m);
  sendJson(res, status, body);
}

function submissionId(c: Ctx): [number, unknown] {
  const value = randomUUID();
  c.reg.submissions.set(value, { identityId: c.identity, taskId: null });
  return [200, { DATA_TYPE: 'submission_id', value }];
}

async function submitTransfer(c: Ctx): Promise<[number, unknown]> {
  const b = await readJson(c.req);
  if (b.DATA_TYPE !== 'transfer') bad(`DATA_TYPE must be 'transfer', not '${String(b.DATA_TYPE)}'`);
  const sid = b.submission_id;
  if (typeof sid !== 'string') bad('submission_id is required');
  const sub = c.reg.submissions.get(sid as string);
  if (!sub || sub.identityId !== c.identity) bad(`Invalid submission_id '${String(sid)}': get one from /submission_id`);
  if (sub!.taskId) {
    return [202, transferResult('Duplicate', sub!.taskId, sid as string, 'A transfer with id ' + sub!.taskId + ' was already submitted with this submission_id')];
  }
  const src = c.reg.collection(str(b.source_endpoint, 'source_endpoint'));
  const dst = c.reg.collection(str(b.destination_endpoint, 'destination_endpoint'));
  c.reg.checkConsent(src);
  c.reg.checkConsent(dst);
  const items = parseItems(b.DATA);
  const sync = b.sync_level ?? null;
  if (sync !== null && !(Number.isInteger(sync) && (sync as number) >= 0 && (sync as number) <= 3)) bad(`Invalid sync_level '${String(sync)}'`);
  for (const k of ['verify_checksum', 'encrypt_data'] as const) {
    if (b[k] !== undefined && typeof b[k] !== 'boolean') bad(`${k} must be a boolean`);
  }
  if (b.label !== undefined && b.label !== null && (typeof b.label !== 'string' || b.label.length > 128)) bad('label must be a string of at most 128 characters');
  let deadline = Date.now() + 2 * 24 * 3600 * 1000;
  if (b.deadline !== undefined && b.deadline !== null) {
    deadline = Date.parse(String(b.deadline));
    if (Number.isNaN(deadline)) bad(`Invalid deadline '${String(b.deadline)}'`);
  }
  const task: StandinTask = {
    ...newTask(c, sid as string, 'TRANSFER'),
    label: (b.label as string | undefined) ?? null,
    source_endpoint_id: src.id,
    destination_endpoint_id: dst.id,
    items,
    sync_level: sync as number | null,
    verify_checksum: (b.verify_checksum as boolean | undefined) ?? false,
    encrypt_data: (b.encrypt_data as boolean | undefined) ?? false,
    deadline: globusTime(deadline),
  };
  c.reg.tasks.set(task.task_id, task);
  sub!.taskId = task.task_id;
  return [202, transferResult('Accepted', task.task_id, task.submission_id, 'The transfer has been accepted and a task has been created and queued for execution')];
}

/** Fields every new task starts with. */
function newTask(c: Ctx, submissionId: string, type: StandinTask['type']): StandinTask {
  const now = Date.now();
  return {
    task_id: randomUUID(),
    seq: c.reg.tasks.size,
    type,
    owner: c.identity,
    submission_id: submissionId,
    label: null,
    source_endpoint_id: '',
    destination_endpoint_id: null,
    items: [],
    deleteItems: [],
    recursive: false,
    sync_level: null,
    verify_checksum: false,
    encrypt_data: false,
    deadline: globusTime(now + 2 * 24 * 3600 * 1000),
    status: 'ACTIVE',
    nice_status: 'Queued',
    nice_status_short_description: 'Queued',
    fatal_error: null,
    request_time: globusTime(now),
    completion_time: null,
    started_at: null,
    files: 0,
    directories: 0,
    files_skipped: 0,
    files_transferred: 0,
    bytes_transferred: 0,
    bytes_checksummed: 0,
    faults: 0,
    is_paused: false,
    canceled_by_admin: false,
    events: [],
    plan: null,
    planDirs: [],
    deniedTicks: 0,
    fault: null,
    inactive: false,
  };
}

/** POST /v0.10/delete: a DELETE task on one collection; Duplicate on a reused submission_id. */
async function submitDelete(c: Ctx): Promise<[number, unknown]> {
  const b = await readJson(c.req);
  if (b.DATA_TYPE !== 'delete') bad(`DATA_TYPE must be 'delete', not '${String(b.DATA_TYPE)}'`);
  const sid = b.submission_id;
  const sub = typeof sid === 'string' ? c.reg.submissions.get(sid) : undefined;
  if (!sub || sub.identityId !== c.identity) bad(`Invalid submission_id '${String(sid)}': get one from /submission_id`);
  const reply = (code: string, taskId: string) => ({
    DATA_TYPE: 'delete_result',
    code,
    task_id: taskId,
    submission_id: sid,
    request_id: requestId(),
    resource: '/v0.10/delete',
    message: code === 'Accepted' ? 'The delete has been accepted and a task has been created and queued for execution' : 'A delete with this submission_id was already submitted',
  });
  if (sub!.taskId) return [202, reply('Duplicate', sub!.taskId)];
  const coll = c.reg.collection(str(b.endpoint, 'endpoint'));
  c.reg.checkConsent(coll);
  if (!Array.isArray(b.DATA) || b.DATA.length === 0) bad('DATA must be a non-empty list of delete_item');
  const paths = (b.DATA as unknown[]).map((raw, i) => {
    const it = (raw ?? {}) as Record<string, unknown>;
    if (it.DATA_TYPE !== 'delete_item') bad(`DATA[${i}].DATA_TYPE must be 'delete_item'`);
    const p = str(it.path, `DATA[${i}].path`);
    if (normalizeCollectionPath(p) === '/') bad('refusing to delete the collection root');
    return p;
  });
  if (b.recursive !== undefined && typeof b.recursive !== 'boolean') bad('recursive must be a boolean');
  const task: StandinTask = {
    ...newTask(c, sid as string, 'DELETE'),
    label: typeof b.label === 'string' ? b.label : null,
    source_endpoint_id: coll.id,
    deleteItems: paths,
    recursive: (b.recursive as boolean | undefined) ?? false,
  };
  c.reg.tasks.set(task.task_id, task);
  sub!.taskId = task.task_id;
  return [202, reply('Accepted', task.task_id)];
}

function transferResult(code: 'Accepted' | 'Duplicate', taskId: string, sid: string, message: string) {
  return {
    DATA_TYPE: 'transfer_result',
    code,
    task_id: taskId,
    submission_id: sid,
    request_id: requestId(),
    resource: '/v0.10/transfer',
    message,
    task_link: { DATA_TYPE: 'link', href: `task/${taskId}?format=json`, rel: 'related', resource: 'task', title: 'related task' },
  };
}

function parseItems(data: unknown): TransferItem[] {
  if (!Array.isArray(data) || data.length === 0) bad('DATA must be a non-empty list of transfer_item');
  return (data as unknown[]).map((raw, i) => {
    const it = (raw ?? {}) as Record<string, unknown>;
    if (it.DATA_TYPE !== 'transfer_item') bad(`DATA[${i}].DATA_TYPE must be 'transfer_item'`);
    const source_path = str(it.source_path, `DATA[${i}].source_path`);
    const destination_path = str(it.destination_path, `DATA[${i}].destination_path`);
    normalizeCollectionPath(source_path);
    normalizeCollectionPath(destination_path);
    if (it.recursive !== undefined && typeof it.recursive !== 'boolean') bad(`DATA[${i}].recursive must be a boolean`);
    return { source_path, destination_path, recursive: (it.recursive as boolean | undefined) ?? false };
  });
}

function ownTask(c: Ctx, id: string): StandinTask {
  const t = c.reg.tasks.get(id);
  if (!t) throw new TransferApiError(404, 'ClientError.NotFound', `Task ${id} not found`);
  if (t.owner !== c.identity) throw new TransferApiError(403, 'PermissionDenied', `You do not have permission to access task ${id}`);
  return t;
}

function eventList(c: Ctx, m: RegExpExecArray): [number, unknown] {
  const t = ownTask(c, m[1]);
  const limit = intParam(c.q, 'limit', 10, 1, 1000);
  const offset = intParam(c.q, 'offset', 0, 0, 1_000_000);
  const newestFirst = [...t.events].reverse();
  return [200, { DATA_TYPE: 'event_list', DATA: newestFirst.slice(offset, offset + limit), limit, offset, total: newestFirst.length, has_next_page: offset + limit < newestFirst.length }];
}

function cancelTask(c: Ctx, m: RegExpExecArray): [number, unknown] {
  const t = ownTask(c, m[1]);
  const base = { DATA_TYPE: 'result', resource: c.resource, request_id: requestId() };
  if (t.status === 'SUCCEEDED' || t.status === 'FAILED') {
    return [200, { ...base, code: 'TaskComplete', message: 'The task completed before the cancel request was processed.' }];
  }
  c.engine.end(t, { code: 'CANCELED', description: 'The task was canceled by the user' });
  return [200, { ...base, code: 'Canceled', message: 'The task has been cancelled successfully.' }];
}

/** filter=type:TRANSFER/status:ACTIVE,INACTIVE/task_id:<id>,<id> ; limit ≤ 1000 ; newest first. */
function taskList(c: Ctx): [number, unknown] {
  const limit = intParam(c.q, 'limit', 10, 1, 1000);
  const offset = intParam(c.q, 'offset', 0, 0, 1_000_000);
  const filters = new Map<string, Set<string>>();
  for (const part of (c.q.get('filter') ?? '').split('/').filter(Boolean)) {
    const i = part.indexOf(':');
    const key = i > 0 ? part.slice(0, i) : '';
    if (!['type', 'status', 'task_id', 'label'].includes(key)) bad(`Invalid filter '${part}'`);
    const values = part.slice(i + 1).split(',').filter(Boolean);
    if (key === 'task_id' && values.length > 50) bad('task_id filter accepts at most 50 ids');
    filters.set(key, new Set(values));
  }
  const keep = (t: StandinTask) =>
    t.owner === c.identity &&
    (!filters.has('type') || filters.get('type')!.has(t.type)) &&
    (!filters.has('status') || filters.get('status')!.has(t.status)) &&
    (!filters.has('task_id') || filters.get('task_id')!.has(t.task_id)) &&
    (!filters.has('label') || filters.get('label')!.has(t.label ?? ''));
  const all = [...c.reg.tasks.values()].filter(keep).sort((a, b) => b.seq - a.seq);
  const page = all.slice(offset, offset + limit).map(taskDocument);
  return [200, { DATA_TYPE: 'task_list', DATA: page, length: page.length, limit, offset, total: all.length }];
}

async function createRule(c: Ctx, m: RegExpExecArray): Promise<[number, unknown]> {
  const coll = c.reg.collection(m[1]);
  const b = await readJson(c.req);
  if (!c.reg.canManage(coll, c.identity)) throw new TransferApiError(403, 'PermissionDenied', `You do not have permission to manage access rules on ${coll.id}`);
  if (b.DATA_TYPE !== 'access') bad(`DATA_TYPE must be 'access'`);
  const types = ['identity', 'group', 'all_authenticated_users', 'anonymous'];
  if (!types.includes(b.principal_type as string)) bad(`Invalid principal_type '${String(b.principal_type)}'`);
  const principal = b.principal_type === 'identity' || b.principal_type === 'group' ? str(b.principal, 'principal') : '';
  const p = str(b.path, 'path');
  if (!p.startsWith('/') || !p.endsWith('/')) bad(`Invalid path '${p}': an access rule path is an absolute folder path ending in '/'`);
  const norm = asDir(normalizeCollectionPath(p));
  if (b.permissions !== 'r' && b.permissions !== 'rw') bad(`Invalid permissions '${String(b.permissions)}': use 'r' or 'rw'`);
  for (const r of c.reg.rules.values()) {
    if (r.collectionId === coll.id && r.principal_type === b.principal_type && r.principal === principal && r.path === norm) {
      throw new TransferApiError(409, 'Conflict', `An access rule for principal '${principal}' on path '${norm}' already exists (id ${r.id})`);
    }
  }
  const rule: AccessRule = {
    DATA_TYPE: 'access',
    id: randomUUID(),
    principal_type: b.principal_type as AccessRule['principal_type'],
    principal,
    path: norm,
    permissions: b.permissions as 'r' | 'rw',
    role_id: null,
    role_type: null,
    create_time: globusTime(Date.now()),
    collectionId: coll.id,
  };
  c.reg.rules.set(rule.id, rule);
  return [201, { DATA_TYPE: 'access_create_result', code: 'Created', access_id: rule.id, resource: c.resource, request_id: requestId(), message: 'Access rule created successfully.' }];
}

function listRules(c: Ctx, m: RegExpExecArray): [number, unknown] {
  const coll = c.reg.collection(m[1]);
  if (!c.reg.canManage(coll, c.identity)) throw new TransferApiError(403, 'PermissionDenied', `You do not have permission to list access rules on ${coll.id}`);
  const DATA = [...c.reg.rules.values()].filter((r) => r.collectionId === coll.id).map(publicRule);
  return [200, { DATA_TYPE: 'access_list', endpoint: coll.id, DATA, length: DATA.length }];
}

function ruleOf(c: Ctx, collectionId: string, ruleId: string): AccessRule {
  const coll = c.reg.collection(collectionId);
  if (!c.reg.canManage(coll, c.identity)) throw new TransferApiError(403, 'PermissionDenied', `You do not have permission to manage access rules on ${coll.id}`);
  const r = c.reg.rules.get(ruleId);
  if (!r || r.collectionId !== coll.id) throw new TransferApiError(404, 'ClientError.NotFound', `Access rule '${ruleId}' not found`);
  return r;
}

function deleteRule(c: Ctx, m: RegExpExecArray): [number, unknown] {
  const r = ruleOf(c, m[1], m[2]);
  c.reg.rules.delete(r.id);
  return [200, { DATA_TYPE: 'result', code: 'Deleted', message: `Access rule '${r.id}' deleted successfully`, resource: c.resource, request_id: requestId() }];
}

function publicRule(r: AccessRule): Record<string, unknown> {
  const { collectionId: _c, ...rest } = r;
  return rest;
}

function ls(c: Ctx, m: RegExpExecArray): [number, unknown] {
  const coll = c.reg.collection(m[1]);
  c.reg.checkConsent(coll);
  const p = normalizeCollectionPath(c.q.get('path') ?? '/~/');
  if (!c.reg.allows(coll, c.identity, p, 'r')) throw new TransferApiError(403, 'PermissionDenied', `Permission denied listing '${p}' on ${coll.id}`);
  const local = c.reg.localPath(coll, p);
  const st = statOrNotFound(local, p);
  if (!st.isDirectory()) throw new TransferApiError(400, 'ClientError.BadRequest.NotADirectory', `'${p}' is not a directory`);
  const limit = intParam(c.q, 'limit', 100000, 1, 100000);
  const offset = intParam(c.q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const all = fs.readdirSync(local).sort().map((name) => fileEntry(name, fs.lstatSync(path.join(local, name))));
  const DATA = all.slice(offset, offset + limit);
  return [200, { DATA_TYPE: 'file_list', DATA, path: asDir(p), absolute_path: null, endpoint: coll.id, rename_supported: true, symlink_supported: false, length: DATA.length, total: all.length, limit, offset }];
}

function stat(c: Ctx, m: RegExpExecArray): [number, unknown] {
  const coll = c.reg.collection(m[1]);
  c.reg.checkConsent(coll);
  const p = normalizeCollectionPath(c.q.get('path') ?? '/');
  if (!c.reg.allows(coll, c.identity, p, 'r')) throw new TransferApiError(403, 'PermissionDenied', `Permission denied on '${p}' on ${coll.id}`);
  const st = statOrNotFound(c.reg.localPath(coll, p), p);
  return [200, fileEntry(path.posix.basename(p) || '/', st)];
}

function statOrNotFound(local: string, p: string): fs.Stats {
  try {
    return fs.lstatSync(local);
  } catch {
    throw new TransferApiError(404, 'ClientError.NotFound', `Directory or file '${p}' not found`);
  }
}

function fileEntry(name: string, st: fs.Stats) {
  return {
    DATA_TYPE: 'file',
    name,
    type: st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'file',
    size: st.isDirectory() ? 4096 : st.size,
    last_modified: lsTime(st.mtimeMs),
    permissions: (st.mode & 0o777).toString(8).padStart(4, '0'),
    user: 'globus',
    group: 'globus',
    link_target: null,
  };
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') bad(`${what} is required`);
  return v as string;
}

function bad(message: string): never {
  throw new TransferApiError(400, 'ClientError.BadRequest', message);
}
