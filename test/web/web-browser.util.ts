import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { REPO_ROOT } from '../harness';

/** Debian's Chromium, installed by test/setup/install-system-deps.js. Never a downloaded browser. */
export const CHROMIUM = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';
export const SHOT_DIR = path.join(REPO_ROOT, 'test-artifacts', 'web');
export const WEB_DIST = path.join(REPO_ROOT, 'apps', 'web', 'dist');

/**
 * Headless Chromium with no background traffic. playwright's launch() gives every run a fresh
 * temporary --user-data-dir of its own (and every newContext() fresh storage), so no state is
 * carried between runs.
 */
export function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run node test/setup/install-system-deps.js`);
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error('apps/web/dist is missing: build the web app first (npm run build -w @ferry/web)');
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Every request a context makes (URL, headers, body), to prove what never left the browser. */
export function recordRequests(context: BrowserContext): RecordedRequest[] {
  const log: RecordedRequest[] = [];
  context.on('request', (r: Request) => {
    log.push({ method: r.method(), url: r.url(), headers: r.headers(), body: r.postData() ?? '' });
  });
  return log;
}

/** Page errors and console errors fail loudly in the test output instead of hiding. */
export function watchPage(page: Page, problems: string[]): Page {
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return page;
}

export async function shot(page: Page, name: string, fullPage = false): Promise<string> {
  fs.mkdirSync(SHOT_DIR, { recursive: true });
  const file = path.join(SHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(baseUrl + '/');
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}
