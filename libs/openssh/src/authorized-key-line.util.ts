import { canonicalPublicKey } from './ssh-key.util';
import { OpenSshError } from './openssh.error';

/**
 * One line of an authorized_keys file as ferry writes it (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"):
 *
 *   restrict,expiry-time="20260505101500Z",from="192.0.2.7",command="/usr/bin/rrsync -wo '/data/x'" ssh-ed25519 AAAA... ferry:<transferId>:<expiresAt ISO>
 *
 * - `restrict` turns off port, agent and X11 forwarding, PTY allocation and ~/.ssh/rc;
 * - `expiry-time` makes sshd itself refuse the key afterwards, even when the gateway is down
 *   (format YYYYMMDDHHMM[SS][Z]; the Z means UTC, so the gateway's and sshd's time zones do not matter);
 * - `from` limits the client address when the source gateway told us its addresses;
 * - `command` is forced: whatever the client asks to run, sshd runs this instead;
 * - the comment marks the line as ferry's, so we only ever touch our own lines.
 */
export interface FerryKeyOptions {
  transferId: string;
  /** 'ssh-ed25519 AAAA...' (a comment, if any, is dropped) */
  publicKey: string;
  /** the forced command, exactly as sshd should run it (see forced-command.util.ts) */
  command: string;
  expiresAt: Date;
  /** client address patterns for from="..." (IP, CIDR, host name, wildcards; '!' negates) */
  from?: string[];
}

export interface FerryKeyLine {
  transferId: string;
  expiresAt: Date;
  /** 'type base64' */
  publicKey: string;
  line: string;
}

export const FERRY_MARKER_PREFIX = 'ferry:';
const TRANSFER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const FROM_PATTERN = /^!?[A-Za-z0-9.:*?/_-]{1,255}$/;

export function isValidTransferId(id: unknown): id is string {
  return typeof id === 'string' && TRANSFER_ID.test(id);
}

/** 'YYYYMMDDHHMMSSZ' in UTC, the expiry-time form every OpenSSH that documents the Z suffix reads. */
export function formatExpiryTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new OpenSshError('BAD_OPTION', 'expiry time is not a valid date');
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

/** Inverse of formatExpiryTime, also reading YYYYMMDD[Z] and YYYYMMDDHHMM[Z] (UTC only). */
export function parseExpiryTime(s: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?Z$/.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', se = '00'] = m;
  const t = Date.UTC(+y, +mo - 1, +d, +h, +mi, +se);
  return Number.isNaN(t) ? null : new Date(t);
}

/**
 * Quotes a value for an authorized_keys option. sshd's option parser only unescapes \" inside the
 * quotes and ends the value at the first unescaped ", so: escape every ", and refuse line breaks,
 * NUL and a trailing backslash (which would swallow the closing quote).
 */
export function quoteOptionValue(v: string): string {
  if (/[\0\r\n]/.test(v)) throw new OpenSshError('BAD_OPTION', 'authorized_keys option values may not contain line breaks or NUL');
  if (v.endsWith('\\')) throw new OpenSshError('BAD_OPTION', 'authorized_keys option values may not end with a backslash');
  return `"${v.replace(/"/g, '\\"')}"`;
}

export function buildFerryKeyLine(o: FerryKeyOptions): FerryKeyLine {
  if (!isValidTransferId(o.transferId)) throw new OpenSshError('BAD_OPTION', 'transfer id must be 1-128 characters of [A-Za-z0-9._-]');
  const publicKey = canonicalPublicKey(o.publicKey);
  if (!o.command.trim()) throw new OpenSshError('BAD_OPTION', 'a ferry key always has a forced command');
  const options = ['restrict', `expiry-time="${formatExpiryTime(o.expiresAt)}"`];
  if (o.from && o.from.length > 0) {
    for (const f of o.from) {
      if (!FROM_PATTERN.test(f)) throw new OpenSshError('BAD_OPTION', `not an address pattern for from="": ${String(f).slice(0, 80)}`);
    }
    options.push(`from=${quoteOptionValue(o.from.join(','))}`);
  }
  options.push(`command=${quoteOptionValue(o.command)}`);
  const expiresAt = new Date(Math.floor(o.expiresAt.getTime() / 1000) * 1000);
  const line = `${options.join(',')} ${publicKey} ${FERRY_MARKER_PREFIX}${o.transferId}:${expiresAt.toISOString()}`;
  return { transferId: o.transferId, expiresAt, publicKey, line };
}

/**
 * Reads a line back if it is one of ours (ends with the ferry marker); null for anything else,
 * which callers must then leave exactly as it was.
 */
export function parseFerryKeyLine(line: string): FerryKeyLine | null {
  const trimmed = line.trim();
  if (!trimmed || trimmed.startsWith('#')) return null;
  const m = /(?:^|\s)(ssh-[a-z0-9-]+|ecdsa-[a-z0-9-]+|sk-[a-z0-9@.-]+)\s+([A-Za-z0-9+/]+={0,2})\s+(?:.*\s)?ferry:([A-Za-z0-9._-]+):(\S+)$/.exec(trimmed);
  if (!m) return null;
  const [, type, b64, transferId, marker] = m;
  let expiresAt = new Date(marker);
  if (Number.isNaN(expiresAt.getTime())) {
    // a damaged marker: fall back to what sshd itself enforces
    const opt = /(?:^|,)expiry-time="([0-9]+Z?)"/.exec(trimmed);
    expiresAt = (opt && parseExpiryTime(opt[1])) || new Date(0);
  }
  return { transferId, expiresAt, publicKey: `${type} ${b64}`, line: trimmed };
}
