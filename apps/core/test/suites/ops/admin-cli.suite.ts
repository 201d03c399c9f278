import { PassThrough } from 'node:stream';
import type { CliContext } from '../../../../cli/src/cli.context';
import { CoreApiClient } from '../../../../cli/src/api/core-api.client';
import { runCli } from '../../../../cli/src/program';
import type { CoreHarness } from '../../support/core-harness';
import { TOKENS } from '../../support/core-harness';
import { snapshot } from '../../support/ops-helpers';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `ferry ...` in-process against a core URL with a token (the same code the binary runs). */
export async function ferry(url: string, token: string, args: string[]): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const ctx: CliContext = {
    env: {},
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    client: async () => new CoreApiClient({ url, token }),
    key: () => Promise.reject(new Error('admin commands need no key')),
    pollMs: 50,
    exitCode: 0,
  };
  const code = await runCli(args, ctx);
  return { code, stdout: out, stderr: err };
}

/** The admin CLI in-process against the in-process core: every group, --json, errors and exit codes. */
export function adminCliSuite(get: () => CoreHarness): void {
  const run = (args: string[], token = TOKENS.carol) => ferry(get().url, token, ['admin', ...args]);
  const json = async (args: string[]) => {
    const r = await run([...args, '--json']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(r.stdout);
  };

  it('sets up a new researcher end to end: user, token, project, drive, ACL, mapping', async () => {
    const h = get();
    expect(await json(['users', 'create', 'hana'])).toMatchObject({ name: 'hana', admin: false });
    const plain = await run(['tokens', 'create', 'hana', '--label', 'cli test']);
    expect(plain.code).toBe(0);
    const token = plain.stdout.trim(); // the token alone on stdout
    expect(token).toMatch(/^ferry_/);
    expect(plain.stderr).toMatch(/cannot be shown again/);
    expect((await h.api(token, 'GET', '/api/me')).body).toEqual({ name: 'hana', admin: false });

    expect(await json(['projects', 'create', 'glaciers'])).toMatchObject({ name: 'glaciers', members: [] });
    expect(await json(['projects', 'add-member', 'glaciers', 'hana'])).toMatchObject({ members: ['hana'] });
    expect(await json(['drives', 'create', 'b-glaciers', '--name', 'B glaciers', '--provider', 'provider-b', '--gateway-drive', 'glaciers'])).toMatchObject({ id: 'b-glaciers' });
    const acl = await json(['acl', 'grant', 'b-glaciers', 'read', 'WRITE', '--project', 'glaciers']);
    expect(acl).toEqual([
      { drive: 'b-glaciers', user: null, project: 'glaciers', permission: 'READ' },
      { drive: 'b-glaciers', user: null, project: 'glaciers', permission: 'WRITE' },
    ]);
    expect(await json(['mappings', 'set', 'hana', 'provider-b', 'hana_b'])).toEqual({ user: 'hana', provider: 'provider-b', identity: 'hana_b' });
    expect((await h.api(token, 'GET', '/api/drives')).body).toEqual([
      { id: 'b-glaciers', name: 'B glaciers', providerId: 'provider-b', providerName: 'Provider B', permissions: ['READ', 'WRITE'] },
    ]);
    expect((await h.api(token, 'GET', '/api/drives/b-glaciers/files')).status).toBe(200);

    const tokens = await json(['tokens', 'list', '--user', 'hana']);
    expect(tokens).toEqual([expect.objectContaining({ user: 'hana', label: 'cli test', revoked: false })]);
    expect(JSON.stringify(tokens)).not.toContain(token);
    const audit = await json(['audit', '--user', 'carol', '--limit', '10']);
    expect(audit.slice(0, 6).map((e: any) => e.action)).toEqual(['mapping.set', 'acl.grant', 'drive.create', 'project.member.add', 'project.create', 'token.create']);

    expect((await json(['tokens', 'revoke', tokens[0].id])).revoked).toBe(true);
    expect((await h.api(token, 'GET', '/api/me')).status).toBe(401);
  });

  it('prints tables without --json', async () => {
    const users = await run(['users', 'list']);
    expect(users.code).toBe(0);
    expect(users.stdout).toMatch(/^NAME\s+ADMIN\s+DISABLED\s+TOKENS\s+CREATED/);
    expect(users.stdout).toMatch(/\ncarol\s+yes\s+-\s+1\s/);
    const providers = await run(['providers', 'list']);
    expect(providers.stdout).toMatch(/provider-a\s+Provider A\s+http:\/\/127\.0\.0\.1:\d+\s+pinned/);
    const audit = await run(['audit', '--limit', '1']);
    expect(audit.stdout).toMatch(/^AT\s+ACTOR\s+ACTION\s+TARGET\s+DETAILS/);
    expect(audit.stdout).toMatch(/\(more entries: --all\)/);
    expect((await run(['drives', 'list'])).stdout).toMatch(/a-data\s+A data\s+provider-a\s+data\s+alice:READ/);
  });

  it('reports the core’s refusals with their codes, changing nothing', async () => {
    const h = get();
    const before = await snapshot(h);
    const invalid = await run(['users', 'create', 'bad name']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error VALIDATION_FAILED: name: /m);
    const forbidden = await run(['users', 'list'], TOKENS.alice);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/error FORBIDDEN: the admin API is for admin users only/);
    const missing = await run(['mappings', 'remove', 'alice', 'provider-z']);
    expect(missing.stderr).toMatch(/error NOT_FOUND/);
    const asJson = await run(['drives', 'delete', 'no-such-drive', '--json']);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stdout).error.code).toBe('NOT_FOUND');
    // usage errors are the CLI's own (exit 2) and never reach the core
    expect((await run(['acl', 'grant', 'a-data', 'READ'])).code).toBe(2);
    expect((await run(['acl', 'grant', 'a-data', 'EXECUTE', '--user', 'bob'])).code).toBe(2);
    expect((await run(['acl', 'grant', 'a-data', 'READ', '--user', 'bob', '--project', 'climate'])).code).toBe(2);
    expect((await run(['drives', 'create', 'x', '--name', 'X'])).code).toBe(2);
    expect((await run(['audit', '--action', 'nonsense'])).code).toBe(2);
    expect(await snapshot(h)).toEqual(before);
  });
}
