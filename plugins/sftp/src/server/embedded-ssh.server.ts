import type { AddressInfo } from 'node:net';
import { Server, type Connection, type ServerChannel } from 'ssh2';
import type { PluginLogger } from '@ferry/plugin-sdk';
import type { Grant } from '../destination/grant';
import { windowKeeper } from './channel-window.util';
import { PathJail } from './path-jail';
import { SftpSession } from './sftp-session';
import { SshAuthenticator, type GrantFinder } from './ssh-auth';

export interface EmbeddedServerDeps {
  host: string;
  port: number;
  hostKey: string;
  /** SSH channel window per SFTP session; ssh2's 2 MiB when unset (see channel-window.util.ts) */
  windowBytes?: number;
  findGrant: GrantFinder;
  /** whether the grant named by this user is still usable (checked on every SFTP request) */
  isLive(username: string): boolean;
  notePartFile(grant: Grant, rel: string): Promise<void>;
  logger: PluginLogger;
  /** ferry's own subsystems besides sftp, by name (e.g. the tree stream); any other is refused */
  subsystems?: Record<string, SubsystemHandler>;
}

/** What a ferry subsystem gets: its channel, the grant's jail and the same liveness checks as SFTP. */
export interface SubsystemContext {
  grant: Grant;
  jail: PathJail;
  isLive(): boolean;
  onDead(): void;
  countWrite(bytes: number): void;
}

/** Serves one subsystem channel; drain() is awaited before a revoked grant's connections end. */
export type SubsystemHandler = (channel: ServerChannel, ctx: SubsystemContext) => { drain(): Promise<void> };

/** a connection that has not authenticated by then is dropped (slow or idle clients hold sockets) */
const AUTH_TIMEOUT_MS = 30_000;
/** how often idle sessions are checked against their grant (busy ones are checked per request) */
const SWEEP_INTERVAL_MS = 5_000;

interface LiveConnection {
  conn: Connection;
  sessions: Set<{ drain(): Promise<void> }>;
}

/**
 * The gateway's own SSH server for sites without OpenSSH: SFTP only, one software-chrooted folder
 * per grant, no shell, exec, subsystems other than sftp and ferry's own (deps.subsystems), or
 * forwarding of any kind.
 */
export class EmbeddedSshServer {
  private server: Server | null = null;
  private sweep: NodeJS.Timeout | null = null;
  private readonly live = new Map<string, Set<LiveConnection>>();
  private readonly written = new Map<string, number>();
  port = 0;

  constructor(private readonly deps: EmbeddedServerDeps) {}

  async start(): Promise<number> {
    const server = new Server({ hostKeys: [this.deps.hostKey], ident: 'ferry-sftp' }, (conn) => this.accept(conn));
    server.on('error', (e: Error) => this.deps.logger.error('embedded SSH server error', { error: e.message }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.deps.port, this.deps.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.sweep = setInterval(() => this.endDeadSessions(), SWEEP_INTERVAL_MS);
    this.sweep.unref();
    return this.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
    if (!server) return;
    for (const set of this.live.values()) for (const c of set) c.conn.end();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Ends every connection of this grant and waits for requests already running to finish. */
  async disconnect(username: string): Promise<void> {
    this.written.delete(username);
    const set = this.live.get(username);
    if (!set) return;
    this.live.delete(username);
    await Promise.all(
      [...set].map(async (c) => {
        await Promise.all([...c.sessions].map((s) => s.drain()));
        c.conn.end();
      }),
    );
  }

  /** Ends the sessions of grants that expired (or were revoked) while their sessions sat idle. */
  private endDeadSessions(): void {
    for (const username of [...this.live.keys()]) {
      if (!this.deps.isLive(username)) void this.disconnect(username);
    }
  }

  /** Bytes written through sessions of this grant until it was revoked (for operators' logs and tests). */
  bytesWritten(username: string): number {
    return this.written.get(username) ?? 0;
  }

  private accept(conn: Connection): void {
    // Without TCP_NODELAY the server's small authentication answers waited for the client's
    // delayed ACK: ~40 ms per login on loopback (47 ms to a ready session instead of 4), paid by
    // every transfer and every reconnect. Bulk replies are batched per loop iteration anyway.
    // (ssh2 has setNoDelay on the server's connection; its type definitions leave it out)
    (conn as Connection & { setNoDelay(noDelay: boolean): void }).setNoDelay(true);
    const auth = new SshAuthenticator(this.deps.findGrant);
    const authTimer = setTimeout(() => conn.end(), AUTH_TIMEOUT_MS);
    authTimer.unref();
    conn.on('close', () => clearTimeout(authTimer));
    conn.on('error', (e: Error) => this.deps.logger.debug('ssh connection error', { error: e.message }));
    conn.on('authentication', (ctx) => {
      auth.handle(ctx).then(
        (r) => r === 'too-many' && conn.end(),
        (e: unknown) => {
          this.deps.logger.warn('authentication check failed', { error: String(e) });
          conn.end();
        },
      );
    });
    conn.on('ready', () => {
      clearTimeout(authTimer);
      const grant = auth.grant;
      if (!grant) return conn.end();
      const entry: LiveConnection = { conn, sessions: new Set() };
      let set = this.live.get(grant.username);
      if (!set) this.live.set(grant.username, (set = new Set()));
      set.add(entry);
      conn.on('close', () => this.live.get(grant.username)?.delete(entry));
      this.deps.logger.info('source connected', { transferId: grant.transferId });
      this.serve(conn, grant, entry);
    });
  }

  private serve(conn: Connection, grant: Grant, entry: LiveConnection): void {
    const refuse = (what: string) => (_accept: unknown, reject?: () => void) => {
      this.deps.logger.warn(`refused ${what} request`, { transferId: grant.transferId });
      reject?.();
    };
    conn.on('tcpip', refuse('port forwarding'));
    conn.on('openssh.streamlocal', refuse('socket forwarding'));
    conn.on('request', refuse('global'));
    conn.on('session', (accept) => {
      const session = accept();
      session.on('exec', refuse('exec'));
      session.on('shell', refuse('shell'));
      session.on('pty', refuse('pty'));
      session.on('x11', refuse('x11'));
      session.on('env', refuse('env'));
      session.on('auth-agent', refuse('agent forwarding'));
      session.on('subsystem', (accept, reject, info) => {
        const handler = this.deps.subsystems?.[info.name];
        if (!handler) return refuse('subsystem')(accept, reject);
        void this.openSubsystem(handler, accept, conn, grant, entry);
      });
      session.on('sftp', (acceptSftp) => {
        void this.openSftp(acceptSftp, conn, grant, entry);
      });
    });
  }

  /** The grant's folder as a jail; null (and the connection ended) when the folder is gone. */
  private async jailFor(conn: Connection, grant: Grant): Promise<PathJail | null> {
    try {
      return await PathJail.create(grant.root);
    } catch (e) {
      this.deps.logger.error('granted folder is missing', { transferId: grant.transferId, error: String(e) });
      conn.end();
      return null;
    }
  }

  private async openSubsystem(handler: SubsystemHandler, accept: () => ServerChannel, conn: Connection, grant: Grant, entry: LiveConnection): Promise<void> {
    const jail = await this.jailFor(conn, grant);
    if (!jail) return;
    const channel = accept();
    const session = handler(channel, {
      grant,
      jail,
      isLive: () => this.deps.isLive(grant.username),
      onDead: () => conn.end(),
      countWrite: (n) => this.written.set(grant.username, (this.written.get(grant.username) ?? 0) + n),
    });
    entry.sessions.add(session);
    channel.on('close', () => entry.sessions.delete(session));
  }

  private async openSftp(
    acceptSftp: () => import('ssh2').SFTPWrapper,
    conn: Connection,
    grant: Grant,
    entry: LiveConnection,
  ): Promise<void> {
    const jail = await this.jailFor(conn, grant);
    if (!jail) return;
    const sftp = acceptSftp();
    if (this.deps.windowBytes) {
      // data arrives as WRITE requests (and EXTENDED ones); topping up after each keeps the window open
      const topUp = windowKeeper(sftp, this.deps.windowBytes);
      sftp.on('WRITE', topUp);
      sftp.on('EXTENDED', topUp);
    }
    const session = new SftpSession(
      sftp,
      jail,
      {
        isLive: () => this.deps.isLive(grant.username),
        onDead: () => conn.end(),
        notePartFile: (rel) => this.deps.notePartFile(grant, rel),
        countWrite: (n) => this.written.set(grant.username, (this.written.get(grant.username) ?? 0) + n),
      },
      this.deps.logger,
    );
    entry.sessions.add(session);
    sftp.on('close', () => entry.sessions.delete(session));
  }
}
