import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { certFingerprint, createSelfSignedCert, loadOrCreateTlsIdentity } from './tls-cert.util';

describe('self-signed tunnel TLS identity', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-tls-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is created once (key 0600), parses with openssl, and the fingerprint is the DER sha256', () => {
    const a = loadOrCreateTlsIdentity(dir, 'ferry tunnel test');
    const b = loadOrCreateTlsIdentity(dir, 'ferry tunnel test');
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(fs.statSync(path.join(dir, 'tunnel-tls.key.pem')).mode & 0o777).toBe(0o600);
    const certFile = path.join(dir, 'tunnel-tls.cert.pem');
    // openssl checks the self-signature: proves the DER we built by hand is a valid certificate
    expect(execFileSync('openssl', ['verify', '-CAfile', certFile, certFile]).toString()).toContain('OK');
    const der = execFileSync('openssl', ['x509', '-in', certFile, '-outform', 'der']);
    expect(certFingerprint(der)).toBe(a.fingerprint);
  });

  it('makes certificates OpenSSL accepts every time (the random serial is minimal DER)', () => {
    // a serial starting with a zero byte followed by one below 0x80 is non-minimal DER, which
    // OpenSSL refuses ("illegal padding"): with a random serial that was 1 certificate in 256
    for (let i = 0; i < 1000; i++) {
      const { certPem, keyPem } = createSelfSignedCert('ferry tunnel test');
      const cert = new crypto.X509Certificate(certPem);
      expect(cert.checkPrivateKey(crypto.createPrivateKey(keyPem))).toBe(true);
      const serial = Buffer.from(cert.serialNumber, 'hex');
      expect(serial.length).toBe(16);
      expect(serial[0]).toBeGreaterThanOrEqual(0x40);
      expect(serial[0]).toBeLessThan(0x80);
    }
  });

  it('serves TLS, and the client sees the pinned certificate', async () => {
    const id = loadOrCreateTlsIdentity(dir, 'ferry tunnel test');
    const server = tls.createServer({ cert: id.certPem, key: id.keyPem }, (s) => s.end('hi'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const seen = await new Promise<string>((resolve, reject) => {
      const c = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        resolve(certFingerprint(c.getPeerCertificate(true).raw));
        c.destroy();
      });
      c.on('error', reject);
    });
    server.close();
    expect(seen).toBe(id.fingerprint);
  });
});
