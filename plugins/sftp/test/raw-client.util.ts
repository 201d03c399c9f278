import { Client, type SFTPWrapper } from 'ssh2';

export interface RawLogin {
  host: string;
  port: number;
  username: string;
  privateKey?: string;
  password?: string;
}

/**
 * A plain ssh2 client with no ferry logic: publickey then (if given) password, any host key.
 * Resolves with the connection once authenticated; rejects with ssh2's error otherwise.
 */
export function rawConnect(login: RawLogin): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let step = 0;
    client.on('ready', () => resolve(client));
    client.on('error', (e) => reject(e));
    // a server that gives up on us just closes: that is a refusal too
    client.on('close', () => reject(new Error('connection closed before authentication completed')));
    client.connect({
      host: login.host,
      port: login.port,
      username: login.username,
      readyTimeout: 20_000,
      authHandler: (_left, partial, next) => {
        step++;
        if (step === 1 && login.privateKey) return next({ type: 'publickey', username: login.username, key: login.privateKey });
        if (login.password !== undefined && (step === 2 || !login.privateKey)) {
          return next({ type: 'password', username: login.username, password: login.password });
        }
        void partial;
        return next(false as never);
      },
    });
  });
}

export function openSftp(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));
}

/** Runs an SFTP call; resolves with its error (or null when it succeeded) — attacks must fail. */
export function outcome(call: (cb: (err?: Error | null, ...rest: unknown[]) => void) => void): Promise<Error | null> {
  return new Promise((resolve) => call((err) => resolve(err ?? null)));
}

/** Resolves with the call's results, rejects with its error. */
export function ok<T = unknown>(call: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => call((err, value) => (err ? reject(err) : resolve(value as T))));
}
