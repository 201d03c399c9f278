import * as fs from 'node:fs';
import * as path from 'node:path';
import { signRequest } from '@ferry/crypto';
import { GATEWAY_API_PREFIX } from '@ferry/contracts';

/**
 * Calls a gateway's protocol endpoint signed with the core's key, as the core would. The suite uses it
 * to send a gateway what an attacker who controls the core's network path could send (forged and
 * replayed triggers) and to read a gateway's own view of a transfer.
 */
export async function callGatewayAsCore(
  gatewayUrl: string,
  coreSecretKey: string,
  method: 'GET' | 'POST',
  pathAfterPrefix: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const p = `${GATEWAY_API_PREFIX}${pathAfterPrefix}`;
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = signRequest({ method, path: p, body: text, keyId: 'core', signSecretKey: coreSecretKey });
  const res = await fetch(gatewayUrl + p, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : text,
  });
  const raw = await res.text();
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    /* keep text */
  }
  return { status: res.status, body: parsed };
}

/**
 * Every secret a gateway holds on disk: the contents of its secrets/ folder (grant tokens, ephemeral
 * SSH keys) and the secret halves of its own box and signing keys. Collected while a transfer runs,
 * so the leak test can look for them where they must never be.
 */
export function gatewaySecrets(stateDir: string): string[] {
  const out: string[] = [];
  for (const content of gatewaySecretFiles(stateDir).values()) out.push(...secretStrings(content));
  for (const f of ['box.key.json', 'sign.key.json']) {
    const file = path.join(stateDir, f);
    if (fs.existsSync(file)) {
      const k = JSON.parse(fs.readFileSync(file, 'utf8')) as { secretKey?: string };
      if (k.secretKey) out.push(k.secretKey);
    }
  }
  return out;
}

/** The files in a gateway's secrets/ folder (relative name -> content). */
export function gatewaySecretFiles(stateDir: string): Map<string, string> {
  const out = new Map<string, string>();
  const root = path.join(stateDir, 'secrets');
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.isFile()) out.set(path.relative(root, abs), fs.readFileSync(abs, 'utf8'));
    }
  };
  walk(root);
  return out;
}

/**
 * The searchable pieces of a secret file: a JSON file yields its long string values, a PEM/OpenSSH
 * key its base64 body lines, anything else itself (trimmed). Short strings (< 16 chars) are not
 * secrets worth searching for and would match by chance.
 */
export function secretStrings(content: string): string[] {
  const found: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') found.push(...secretStrings(v));
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  const trimmed = content.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      visit(JSON.parse(trimmed));
      return found;
    } catch {
      /* not JSON */
    }
  }
  if (trimmed.includes('-----BEGIN')) {
    return trimmed
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => !l.startsWith('-----') && l.length >= 40);
  }
  return trimmed.length >= 16 ? [trimmed] : [];
}
