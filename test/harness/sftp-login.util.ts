import { Client } from 'ssh2';

export interface SftpPeer {
  host: string;
  port: number;
  username: string;
  grantToken: string;
}

/**
 * Tries to open an SFTP session at a destination's embedded server the way the source gateway does
 * (ephemeral key, then the grant token as password). 'accepted' means the grant is live; the suite
 * uses it to prove that cancel and finalize really revoke the source's key.
 */
export function trySftpLogin(peer: SftpPeer, privateKey: string): Promise<'accepted' | 'denied'> {
  return new Promise((resolve) => {
    const c = new Client();
    let step = 0;
    let done = false;
    const finish = (r: 'accepted' | 'denied') => {
      if (done) return;
      done = true;
      c.end();
      resolve(r);
    };
    c.on('ready', () => c.sftp((err) => finish(err ? 'denied' : 'accepted')));
    c.on('error', () => finish('denied'));
    c.on('close', () => finish('denied'));
    c.connect({
      host: peer.host,
      port: peer.port,
      username: peer.username,
      readyTimeout: 15_000,
      authHandler: (methodsLeft, partial, next) => {
        step++;
        if (step === 1) return next({ type: 'publickey', username: peer.username, key: privateKey });
        if (step === 2) return next({ type: 'password', username: peer.username, password: peer.grantToken });
        return next(false as never);
      },
    });
  });
}

/** The OpenSSH private keys among a gateway's secret files. */
export function privateKeysIn(files: Map<string, string>): string[] {
  const keys: string[] = [];
  for (const content of files.values()) {
    const m = content.match(/-----BEGIN OPENSSH PRIVATE KEY-----[\s\S]+?-----END OPENSSH PRIVATE KEY-----/g);
    if (m) keys.push(...m.map((k) => k + '\n'));
    else {
      // a JSON secret may carry the key as a string field
      try {
        const visit = (v: unknown) => {
          if (typeof v === 'string' && v.includes('OPENSSH PRIVATE KEY')) keys.push(v);
          else if (v && typeof v === 'object') Object.values(v).forEach(visit);
        };
        visit(JSON.parse(content));
      } catch {
        /* not JSON */
      }
    }
  }
  return keys;
}
