import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The listener side's TLS identity: a self-signed ECDSA P-256 certificate, generated once into the
 * plugin's data folder and pinned by peers through its sha256 fingerprint (sent to them sealed, in
 * forPeer). Nothing here relies on a CA, so the certificate carries no meaningful names; we build
 * the DER by hand because Node can sign but not issue certificates, and an openssl binary is not
 * something every gateway host has.
 */
export interface TlsIdentity {
  certPem: string;
  keyPem: string;
  /** lowercase hex sha256 of the DER certificate */
  fingerprint: string;
}

const CERT_FILE = 'tunnel-tls.cert.pem';
const KEY_FILE = 'tunnel-tls.key.pem';

export function loadOrCreateTlsIdentity(dir: string, commonName: string): TlsIdentity {
  const certPath = path.join(dir, CERT_FILE);
  const keyPath = path.join(dir, KEY_FILE);
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) {
    const certPem = fs.readFileSync(certPath, 'utf8');
    return { certPem, keyPem: fs.readFileSync(keyPath, 'utf8'), fingerprint: certFingerprint(certPem) };
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { certPem, keyPem } = createSelfSignedCert(commonName);
  // key first, 0600, written whole under a temp name: a crash never leaves a cert without its key
  writeAtomic(keyPath, keyPem, 0o600);
  writeAtomic(certPath, certPem, 0o644);
  return { certPem, keyPem, fingerprint: certFingerprint(certPem) };
}

export function certFingerprint(certPemOrDer: string | Buffer): string {
  const der = typeof certPemOrDer === 'string' ? pemToDer(certPemOrDer) : certPemOrDer;
  return crypto.createHash('sha256').update(der).digest('hex');
}

export function createSelfSignedCert(commonName: string, now = new Date()): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(now.getTime() + 20 * 365 * 24 * 60 * 60 * 1000);
  const serial = crypto.randomBytes(16);
  // a positive INTEGER in minimal DER: the first byte below 0x80 (positive) and not zero (a leading
  // zero byte before one below 0x80 is padding, which OpenSSL refuses: 1 certificate in 256 was)
  serial[0] = (serial[0] & 0x3f) | 0x40;
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))), // version v3
    int(serial),
    ecdsaWithSha256,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    spki,
  );
  const signature = crypto.sign('sha256', tbs, privateKey); // DER ECDSA-Sig-Value
  const cert = seq(tbs, ecdsaWithSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return {
    certPem: toPem('CERTIFICATE', cert),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function writeAtomic(file: string, text: string, mode: number) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

// --- minimal DER encoding (only what a certificate needs) ---

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const int = (b: Buffer) => tlv(0x02, b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a * 40 + b];
  for (const v of rest) {
    const chunk = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) chunk.unshift((x & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString(); // 2026-11-22T13:30:00.000Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z'; // YYYYMMDDHHMMSSZ
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2))) : tlv(0x18, Buffer.from(digits));
}
