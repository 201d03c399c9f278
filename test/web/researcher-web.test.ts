import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import type { TransferView } from '@ferry/contracts';
import { generateBoxKeyPair } from '@ferry/crypto';
import { hashTree, listAll, makeSampleTree, paceSftpSource, startStack, writeRandomFile, type Stack } from '../harness';
import { launchChromium, recordRequests, shot, signIn, watchPage, WEB_DIST, type RecordedRequest } from './web-browser.util';

/**
 * The researcher web app in a real Chromium against a real stack: the core (serving apps/web/dist)
 * and gateways A and B as separate processes on loopback, moving files over the sftp plugin.
 * Tests share one stack and run in order; each names what it needs at the start.
 */
jest.setTimeout(300_000);

const LONG = 180_000;
let stack: Stack;
let browser: Browser;
let alice: BrowserContext;
let page: Page;
let requests: RecordedRequest[];
const problems: string[] = [];
let base: string;

// Random (incompressible) data big enough that a transfer is still moving when the test presses
// Pause or Cancel; the test waits for the button, never for a fixed time.
const BIG_FILES = 16;
const BIG_FILE_BYTES = 32 * 1024 * 1024;

beforeAll(async () => {
  stack = await startStack({
    name: 'web',
    database: 'pglite',
    coreEnv: { FERRY_WEB_DIR: WEB_DIST },
    // one 256 KiB write in flight at A: the big run takes seconds, so the page can act while it moves
    customize: ({ gateways }) => paceSftpSource(gateways.a, 256 * 1024),
  });
  base = stack.coreUrl;
  await makeSampleTree(path.join(stack.dirs.aData, 'project'));
  for (let i = 0; i < BIG_FILES; i++) {
    await writeRandomFile(path.join(stack.dirs.aData, 'big-run', `part-${String(i).padStart(2, '0')}.bin`), BIG_FILE_BYTES);
  }
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'incoming'), { recursive: true });
  fs.writeFileSync(path.join(stack.dirs.bInbox, 'outgoing.txt'), 'B would like to send this back to A\n');
  browser = await launchChromium();
  alice = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  requests = recordRequests(alice);
  page = watchPage(await alice.newPage(), problems);
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.stop();
});

afterEach(() => {
  // an uncaught exception in the app is a bug even when the test's own checks passed
  expect(problems).toEqual([]);
});

/** Right-clicks an entry, picks Transfer to…, chooses B inbox / folder, confirms. Returns the new transfer. */
async function transferViaDialog(p: Page, entry: string, destFolder: string[], opts: { shotName?: string } = {}): Promise<TransferView> {
  await p.locator(`tr[data-name="${entry}"]`).click({ button: 'right' });
  const menu = p.getByRole('menu', { name: 'File actions' });
  await menu.waitFor();
  await menu.getByRole('menuitem', { name: 'Transfer to…' }).click();
  const dialog = p.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByLabel('Destination drive').selectOption('b-inbox');
  for (const f of destFolder) await dialog.getByRole('button', { name: f, exact: true }).click();
  await dialog.getByRole('list', { name: new RegExp(`^Folders in ${destFolder.at(-1) ?? 'B inbox'}`) }).waitFor();
  if (opts.shotName) await shot(p, opts.shotName);
  const created = p.waitForResponse((r) => r.url().endsWith('/api/transfers') && r.request().method() === 'POST');
  await dialog.getByRole('button', { name: /^Transfer .*here$/ }).click();
  const res = await created;
  return (await res.json()) as TransferView;
}

/**
 * Catches the page's trigger request before it leaves the browser; the test then aborts it and
 * closes the tab: a negotiation the core answered that was never triggered. (Closing the page with
 * the request merely paused is not enough: Chromium may still send it while the tab goes away.)
 */
async function holdTrigger(p: Page): Promise<{ caught: Promise<Route> }> {
  let resolve!: (r: Route) => void;
  const caught = new Promise<Route>((r) => (resolve = r));
  await p.route('**/api/transfers/*/trigger', (r) => resolve(r));
  return { caught };
}

const card = (p: Page, taskId: string) => p.locator(`article[data-task-id="${taskId}"]`);
const waitState = (p: Page, taskId: string, state: string, timeout = LONG) =>
  p.locator(`article[data-task-id="${taskId}"][data-state="${state}"]`).waitFor({ timeout });
/** Waits until the task's progress bar shows data moving (like the e2e suite, act only once bytes flow). */
const waitMoving = (p: Page, taskId: string) =>
  p.waitForFunction(
    (id) => {
      const card = document.querySelector(`article[data-task-id="${id}"]`);
      if (card?.getAttribute('data-state') === 'SUCCEEDED') throw new Error('the transfer finished before the test could act: make the data bigger');
      return card?.getAttribute('data-state') === 'RUNNING' && Number(card.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') ?? 0) >= 1;
    },
    taskId,
    { timeout: LONG, polling: 100 },
  );

test('sign in: a wrong token shows UNAUTHENTICATED, the right one opens the files and survives a reload', async () => {
  await page.goto(base + '/');
  await page.getByLabel('API token').waitFor();
  await shot(page, '01-sign-in');
  await page.getByLabel('API token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  expect(await alert.locator('.error-code').textContent()).toBe('UNAUTHENTICATED');

  await page.getByLabel('API token').fill(stack.tokens.alice);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Drives you can read' }).waitFor();
  await page.getByRole('banner').getByText('alice', { exact: true }).waitFor();
  await page.reload();
  await page.getByRole('navigation', { name: 'Drives you can read' }).waitFor();
  expect(await page.getByLabel('API token').count()).toBe(0);
});

test('browse: readable drives, folders with sizes and dates, breadcrumbs', async () => {
  const drives = page.getByRole('navigation', { name: 'Drives you can read' });
  expect(await drives.getByRole('button').allTextContents()).toEqual([
    expect.stringContaining('A data'),
    expect.stringContaining('B inbox'),
  ]);
  await drives.getByRole('button', { name: /A data/ }).click();
  await page.locator('tr[data-name="project"]').waitFor();
  await shot(page, '02-files');
  expect(await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).toEqual(
    expect.arrayContaining(['big-run', 'project']),
  );
  await page.getByRole('button', { name: 'Open folder project' }).click();
  await page.getByRole('button', { name: 'Open folder nested' }).click();
  await page.getByRole('button', { name: 'Open folder level1' }).click();
  const sibling = page.locator('tr[data-name="sibling.bin"]');
  await sibling.waitFor();
  expect(await sibling.locator('.col-size').textContent()).toBe('68 KiB'); // 70,000 bytes
  expect(await sibling.locator('.col-date').textContent()).toMatch(/\d{4}/);
  const crumbs = page.getByRole('navigation', { name: 'Folder path' });
  expect((await crumbs.locator('li').allTextContents()).slice(1)).toEqual(['project', 'nested', 'level1']);
  await crumbs.getByRole('button', { name: 'project' }).click();
  await page.locator('tr[data-name="unicode"]').waitFor();
  await crumbs.getByRole('button', { name: /^A data/ }).click();
  await page.locator('tr[data-name="big-run"]').waitFor();
});

test('right-click -> Transfer to… -> confirm: the task runs to SUCCEEDED on the tasks page and the files are at B', async () => {
  await page.locator('tr[data-name="project"]').click({ button: 'right' });
  await page.getByRole('menu', { name: 'File actions' }).waitFor();
  await shot(page, '03-context-menu');
  await page.keyboard.press('Escape');
  await page.getByRole('menu').waitFor({ state: 'detached' });

  const transfer = await transferViaDialog(page, 'project', ['incoming'], { shotName: '04-transfer-dialog' });
  expect(transfer.state).toBe('AWAITING_TRIGGER');
  await page.waitForURL(/#\/tasks/);
  await waitState(page, transfer.task.id, 'SUCCEEDED');
  const done = card(page, transfer.task.id);
  const [filesDone, filesTotal] = ((await done.locator('.stat-files').textContent()) ?? '').split(' of ');
  expect(Number(filesDone)).toBeGreaterThan(0);
  expect(filesDone).toBe(filesTotal);
  expect(await done.getByRole('button').count()).toBe(0); // nothing to pause or cancel any more
  expect(await done.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');

  const a = await hashTree(path.join(stack.dirs.aData, 'project'));
  const b = await hashTree(path.join(stack.dirs.bInbox, 'incoming', 'project'));
  expect(b.files.size).toBe(a.files.size);
  expect(b).toEqual(a);
});

test('pause and resume from the tasks page, then SUCCEEDED with every byte at B', async () => {
  await page.goto(base + '/#/files?drive=a-data');
  const transfer = await transferViaDialog(page, 'big-run', ['incoming']);
  await page.waitForURL(/#\/tasks/);
  const c = card(page, transfer.task.id);
  await waitMoving(page, transfer.task.id);
  await shot(page, '05-tasks-running', true);
  await c.getByRole('button', { name: /^Pause/ }).click();
  await waitState(page, transfer.task.id, 'PAUSED');
  await c.getByRole('button', { name: /^Resume/ }).waitFor();
  expect(await c.getByRole('button', { name: /^Pause/ }).count()).toBe(0);
  await c.getByRole('button', { name: /^Resume/ }).click();
  await waitState(page, transfer.task.id, 'SUCCEEDED');
  await shot(page, '06-tasks-done', true);
  const a = await hashTree(path.join(stack.dirs.aData, 'big-run'));
  expect(await hashTree(path.join(stack.dirs.bInbox, 'incoming', 'big-run'))).toEqual(a);
});

test('cancel from the tasks page ends the task CANCELLED', async () => {
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'cancelled'), { recursive: true });
  await page.goto(base + '/#/files?drive=a-data');
  const transfer = await transferViaDialog(page, 'big-run', ['cancelled']);
  await page.waitForURL(/#\/tasks/);
  const c = card(page, transfer.task.id);
  await waitMoving(page, transfer.task.id);
  await c.getByRole('button', { name: /^Cancel/ }).click();
  await waitState(page, transfer.task.id, 'CANCELLED');
  expect(await c.getByRole('button').count()).toBe(0);
  // it is history now, and the state filter finds it
  await page.getByLabel('Filter by state').selectOption('CANCELLED');
  await page.getByTestId('finished-tasks').locator(`article[data-task-id="${transfer.task.id}"]`).waitFor();
  expect(await page.getByTestId('finished-tasks').locator('article[data-state="SUCCEEDED"]').count()).toBe(0);
  await page.getByLabel('Filter by state').selectOption('');
});

test("a policy rejection shows the provider's reason and moves nothing", async () => {
  const before = listAll(stack.dirs.aData);
  await page.goto(base + '/#/files?drive=b-inbox');
  await page.locator('tr[data-name="outgoing.txt"]').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Transfer to…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Destination drive').selectOption('a-data');
  await dialog.getByRole('list', { name: /^Folders in A data/ }).waitFor();
  await dialog.getByRole('button', { name: /^Transfer .*here$/ }).click();
  const alert = dialog.getByRole('alert');
  await alert.waitFor({ timeout: LONG });
  expect(await alert.locator('.error-code').textContent()).toBe('REJECTED_BY_POLICY');
  const message = (await alert.locator('.error-message').textContent()) ?? '';
  expect(message.length).toBeGreaterThan(10);
  expect(message).toMatch(/provider-[ab]|agreement|policy/i);
  await shot(page, '08-policy-rejection');
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  expect(listAll(stack.dirs.aData)).toEqual(before);
});

test('a tab closed before the trigger: opening the app again offers to finish it, and it finishes', async () => {
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'resumed'), { recursive: true });
  const first = watchPage(await alice.newPage(), problems);
  await first.goto(base + '/#/files?drive=a-data');
  // hold the trigger request forever, then close the tab: the negotiation is answered, never triggered
  const held = await holdTrigger(first);
  const transfer = await transferViaDialog(first, 'project', ['resumed']);
  await (await held.caught).abort('failed'); // it never reaches the core…
  await first.close(); // …and the tab is gone

  const again = watchPage(await alice.newPage(), problems);
  await again.goto(base + '/#/files');
  const banner = again.getByRole('region', { name: 'Transfers not started' });
  await banner.waitFor();
  await shot(again, '10-pending-banner');
  await banner.getByRole('button', { name: /^Finish/ }).click();
  await again.waitForURL(/#\/tasks/);
  await waitState(again, transfer.task.id, 'SUCCEEDED');
  expect(await again.getByRole('region', { name: 'Transfers not started' }).count()).toBe(0);
  expect(await hashTree(path.join(stack.dirs.bInbox, 'resumed', 'project'))).toEqual(
    await hashTree(path.join(stack.dirs.aData, 'project')),
  );
  await again.close();
});

test('Discard forgets a negotiation that was never triggered and cancels it at the core', async () => {
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'discarded'), { recursive: true });
  const first = watchPage(await alice.newPage(), problems);
  await first.goto(base + '/#/files?drive=a-data');
  const held = await holdTrigger(first);
  const transfer = await transferViaDialog(first, 'project', ['discarded']);
  await (await held.caught).abort('failed'); // it never reaches the core…
  await first.close(); // …and the tab is gone

  const again = watchPage(await alice.newPage(), problems);
  await again.goto(base + '/#/tasks');
  const banner = again.getByRole('region', { name: 'Transfers not started' });
  await banner.getByRole('button', { name: 'Discard' }).click();
  await banner.waitFor({ state: 'detached' });
  await waitState(again, transfer.task.id, 'CANCELLED');
  expect(listAll(path.join(stack.dirs.bInbox, 'discarded'))).toEqual([]);
  await again.reload();
  await again.locator(`article[data-task-id="${transfer.task.id}"]`).waitFor();
  expect(await again.getByRole('region', { name: 'Transfers not started' }).count()).toBe(0);
  await again.close();
});

test('two items picked with checkboxes and Ctrl-click become two transfers; without the event stream the page polls', async () => {
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'polled'), { recursive: true });
  const p = watchPage(await alice.newPage(), problems);
  await p.route('**/api/tasks/events', (r) => r.abort());
  await p.goto(base + '/#/files?drive=a-data&path=project');
  await p.getByLabel('Select README.txt', { exact: true }).check();
  await p.locator('tr[data-name="nested"] td.col-size').click({ modifiers: ['Control'] });
  expect(await p.getByRole('toolbar').getByText('2 selected').count()).toBe(1);
  await p.getByRole('toolbar').getByRole('button', { name: 'Transfer to…' }).click();
  const dialog = p.getByRole('dialog');
  await dialog.getByRole('button', { name: 'polled', exact: true }).click();
  await dialog.getByRole('list', { name: /^Folders in polled/ }).waitFor();
  const created: TransferView[] = [];
  p.on('response', (r) => {
    if (r.url().endsWith('/api/transfers') && r.request().method() === 'POST') void r.json().then((x) => created.push(x as TransferView));
  });
  await dialog.getByRole('button', { name: 'Transfer 2 items here' }).click();
  await p.waitForURL(/#\/tasks/);
  await p.getByRole('status').filter({ hasText: 'polling' }).waitFor();
  expect(created.map((t) => t.source.path).sort()).toEqual(['project/README.txt', 'project/nested']);
  for (const t of created) await waitState(p, t.task.id, 'SUCCEEDED');
  const src = await hashTree(path.join(stack.dirs.aData, 'project', 'nested'));
  expect(await hashTree(path.join(stack.dirs.bInbox, 'polled', 'nested'))).toEqual(src);
  expect(fs.readFileSync(path.join(stack.dirs.bInbox, 'polled', 'README.txt'), 'utf8')).toBe('ferry e2e sample\n');
  await p.close();
});

test("a second user cannot see the first user's tasks", async () => {
  await page.goto(base + '/#/tasks');
  await page.locator('article[data-task-id]').first().waitFor();
  const aliceIds = await page.locator('article[data-task-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-task-id')));
  expect(aliceIds.length).toBeGreaterThanOrEqual(4);

  const bobContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const bob = watchPage(await bobContext.newPage(), problems);
  await signIn(bob, base, stack.tokens.bob);
  await bob.goto(base + '/#/tasks');
  await bob.getByText('No task is running.').waitFor();
  await bob.getByText('No finished tasks.').waitFor();
  expect(await bob.locator('article[data-task-id]').count()).toBe(0);
  // and not by asking the API directly either
  const status = await bob.evaluate(
    async ([id, token]) => (await fetch(`/api/tasks/${id}`, { headers: { authorization: `Bearer ${token}` } })).status,
    [aliceIds[0], stack.tokens.bob],
  );
  expect([403, 404]).toContain(status);
  await bobContext.close();
});

test('keyboard: the context menu opens with Shift+F10 and the dialog closes with Escape', async () => {
  await page.goto(base + '/#/files?drive=a-data');
  const box = page.locator('tr[data-name="project"] input[type="checkbox"]');
  await box.focus();
  await page.keyboard.press('Shift+F10');
  const menu = page.getByRole('menu', { name: 'File actions' });
  await menu.waitFor();
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Transfer to…');
  await page.keyboard.press('ArrowDown');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('menuitem');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Select project');

  await page.keyboard.press('Shift+F10');
  await menu.waitFor();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('list', { name: /^Folders in/ }).waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
});

test('the secret key never leaves the browser', async () => {
  await page.goto(base + '/#/key');
  await page.getByTestId('key-fingerprint').waitFor();
  await shot(page, '09-key');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export key…' }).click();
  const file = await (await download).path();
  const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as { publicKey: string; secretKey: string };
  expect(exported.secretKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);

  const api = requests.filter((r) => new URL(r.url).pathname.startsWith('/api/'));
  // the recorder saw the transfers, carrying the public key: it is looking at the right traffic
  expect(api.filter((r) => r.method === 'POST' && r.body.includes(exported.publicKey)).length).toBeGreaterThanOrEqual(4);
  const forms = [exported.secretKey, encodeURIComponent(exported.secretKey), exported.secretKey.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')];
  for (const r of requests) {
    const everything = `${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`;
    for (const f of forms) expect(everything.includes(f)).toBe(false);
  }
});

test("importing the CLI's key file replaces the key; a broken file is refused with a code", async () => {
  const before = await page.getByTestId('key-fingerprint').textContent();
  const cliKey = { type: 'x25519', ...generateBoxKeyPair(), createdAt: new Date().toISOString() };
  const input = page.getByLabel('Key file to import');
  await input.setInputFiles({ name: 'key.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(cliKey)) });
  await page.getByRole('status').filter({ hasText: 'Key imported' }).waitFor();
  expect(await page.getByText(cliKey.publicKey, { exact: true }).count()).toBe(1);
  expect(await page.getByTestId('key-fingerprint').textContent()).not.toBe(before);

  const wrongPublic = { ...cliKey, publicKey: generateBoxKeyPair().publicKey };
  await input.setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(wrongPublic)) });
  const alert = page.getByRole('alert');
  await alert.waitFor();
  expect(await alert.locator('.error-code').textContent()).toBe('BAD_KEY_FILE');
  expect(await alert.locator('.error-message').textContent()).toContain('publicKey does not belong to secretKey');
  expect(await page.getByText(cliKey.publicKey, { exact: true }).count()).toBe(1); // unchanged
});

test('usable at a phone width (375 px)', async () => {
  const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const p = watchPage(await phone.newPage(), problems);
  await signIn(p, base, stack.tokens.alice);
  await p.goto(base + '/#/files?drive=a-data');
  await p.locator('tr[data-name="project"]').waitFor();
  await shot(p, '07-phone-files', true);
  const overflow = () => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await p.getByLabel('Select project').check();
  await p.getByRole('toolbar').getByRole('button', { name: 'Transfer to…' }).click();
  await p.getByRole('dialog').getByRole('list', { name: /^Folders in/ }).waitFor();
  await shot(p, '07-phone-dialog');
  await p.keyboard.press('Escape');
  await p.goto(base + '/#/tasks');
  await p.locator('article[data-task-id]').first().waitFor();
  await shot(p, '07-phone-tasks', true);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await phone.close();
});

test('a tunnel shows on the tasks page with the address applications connect to, and Cancel closes it', async () => {
  // opened with the same client code as `ferry tunnel create`; its target is the core's own port
  const researcher = stack.researcher('alice');
  const { tunnel } = await researcher.openTunnel({
    initiator: { providerId: 'provider-a', accessPoint: 'a-lan' },
    listener: { providerId: 'provider-b', accessPoint: 'b-lan' },
    target: `127.0.0.1:${new URL(base).port}`,
    lifetimeMinutes: 30,
    label: 'web tunnel',
  });
  const { text, port } = await researcher.listenAddress(tunnel.id);
  expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
  await page.goto(base + '/#/tasks');
  await waitState(page, tunnel.id, 'RUNNING');
  await card(page, tunnel.id).locator('code', { hasText: text }).waitFor();
  await shot(page, '08-tunnel', true);
  await card(page, tunnel.id).getByRole('button', { name: 'Cancel web tunnel' }).click();
  await waitState(page, tunnel.id, 'CLOSED');
});
