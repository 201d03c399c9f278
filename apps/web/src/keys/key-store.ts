import { boxKeyPairFromSecret, generateBoxKeyPair, isBoxPublicKey, type BoxKeyPair } from '@ferry/crypto';
import { idbGet, idbPut, STORE_KEYS } from './idb.util';

/** The researcher's X25519 key pair as this browser keeps it. The secret half never leaves IndexedDB except by export. */
export interface ResearcherKey extends BoxKeyPair {
  createdAt: string;
}

/** What "Export key" downloads and "Import key" accepts. The CLI's key file ({publicKey, secretKey}) is accepted too. */
export interface ExportedKey {
  kind: 'ferry-researcher-key';
  version: 1;
  publicKey: string;
  secretKey: string;
  createdAt: string;
}

const RECORD = 'researcher';

export async function loadKey(): Promise<ResearcherKey | null> {
  return (await idbGet<ResearcherKey>(STORE_KEYS, RECORD)) ?? null;
}

/** Returns the stored key, creating one the first time. */
export async function ensureKey(): Promise<ResearcherKey> {
  const existing = await loadKey();
  if (existing) return existing;
  const key: ResearcherKey = { ...generateBoxKeyPair(), createdAt: new Date().toISOString() };
  await idbPut(STORE_KEYS, key, RECORD);
  return key;
}

export async function replaceKey(key: ResearcherKey): Promise<void> {
  await idbPut(STORE_KEYS, key, RECORD);
}

export function exportKey(key: ResearcherKey): ExportedKey {
  return { kind: 'ferry-researcher-key', version: 1, publicKey: key.publicKey, secretKey: key.secretKey, createdAt: key.createdAt };
}

/**
 * Parses an exported key (ours or the CLI's key file). The public key is derived from the secret
 * one and must match the one in the file, so a corrupted or mixed-up file is refused.
 */
export function parseImportedKey(text: string): ResearcherKey {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('the file is not JSON');
  }
  const o = (raw ?? {}) as Record<string, unknown>;
  if (typeof o.secretKey !== 'string') throw new Error('the file has no secretKey');
  let pair: BoxKeyPair;
  try {
    pair = boxKeyPairFromSecret(o.secretKey);
  } catch {
    throw new Error('secretKey is not a base64 X25519 secret key (32 bytes)');
  }
  if (o.publicKey !== undefined && (!isBoxPublicKey(o.publicKey) || o.publicKey !== pair.publicKey)) {
    throw new Error('publicKey does not belong to secretKey');
  }
  const createdAt = typeof o.createdAt === 'string' ? o.createdAt : new Date().toISOString();
  return { ...pair, createdAt };
}

/** Short, human-comparable form of a public key (first 16 base64 characters in groups of 4). */
export function fingerprint(publicKey: string): string {
  return (publicKey.replace(/[^A-Za-z0-9]/g, '').slice(0, 16).match(/.{1,4}/g) ?? []).join(' ');
}
