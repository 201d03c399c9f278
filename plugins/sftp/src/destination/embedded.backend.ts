import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FinalizeOutcome, PluginLogger, TransferHandle } from '@ferry/plugin-sdk';
import { loadOrCreateHostKey } from '../keys/host-key.util';
import { EmbeddedSshServer } from '../server/embedded-ssh.server';
import { PathJail } from '../server/path-jail';
import { PART_SUFFIX } from '../server/sftp-session';
import { TreeStreamSession } from '../server/tree-stream.session';
import { TREE_SUBSYSTEM } from '../tree-stream/tree-protocol';
import type { BackendEndpoint, DestinationBackend, GrantExtras } from './destination-backend';
import type { Grant } from './grant';
import type { GrantStore } from './grant.store';
import { PartJournal } from './part-journal';

export interface EmbeddedBackendConfig {
  host: string;
  port: number;
  advertiseHost?: string;
  /** SSH channel window per SFTP session (see server/channel-window.util.ts) */
  windowBytes?: number;
  dataDir: string;
}

/**
 * Serves grants from the gateway's own SSH server. The server reads grants from the GrantStore on
 * every login and request, so install has nothing to write; revoke ends live sessions.
 */
export class EmbeddedBackend implements DestinationBackend {
  readonly kind = 'embedded';
  private server: EmbeddedSshServer | null = null;
  private fingerprint = '';
  private readonly journal: PartJournal;

  constructor(
    private readonly config: EmbeddedBackendConfig,
    private readonly grants: GrantStore,
    private readonly logger: PluginLogger,
  ) {
    this.journal = new PartJournal(path.join(config.dataDir, 'parts'));
  }

  async start(): Promise<void> {
    if (this.server) return;
    const hostKey = await loadOrCreateHostKey(this.config.dataDir);
    this.fingerprint = hostKey.fingerprint;
    const server = new EmbeddedSshServer({
      host: this.config.host,
      port: this.config.port,
      hostKey: hostKey.privateKey,
      windowBytes: this.config.windowBytes,
      findGrant: (u) => this.grants.findForLogin(u),
      isLive: (u) => this.grants.isLive(u),
      notePartFile: (g, rel) => this.journal.note(g.transferId, rel),
      logger: this.logger,
      subsystems: {
        [TREE_SUBSYSTEM]: (channel, c) => {
          this.logger.info('source opened the tree stream', { transferId: c.grant.transferId });
          return new TreeStreamSession(
            channel,
            c.jail,
            {
              isLive: c.isLive,
              onDead: c.onDead,
              countWrite: c.countWrite,
              notePartFiles: (rels) => this.journal.noteSync(c.grant.transferId, rels),
            },
            this.logger,
          );
        },
      },
    });
    await server.start();
    this.server = server;
    this.logger.info('embedded SSH server listening', { host: this.config.host, port: server.port });
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }

  async admit(_t: TransferHandle, _sourcePublicParams: Record<string, unknown>): Promise<GrantExtras> {
    return {}; // the grant's random user name and token are all the embedded server needs
  }

  async endpoint(grant: Grant): Promise<BackendEndpoint> {
    if (!this.server) throw new Error('embedded SSH server is not started');
    return {
      host: this.config.advertiseHost ?? this.config.host,
      port: this.server.port,
      hostKeyFingerprint: this.fingerprint,
      username: grant.username,
      remotePath: '/',
      streams: [TREE_SUBSYSTEM],
    };
  }

  async install(_grant: Grant): Promise<void> {
    // the server consults the GrantStore on each login: an active grant there is installed
  }

  async revoke(grant: Grant): Promise<void> {
    await this.server?.disconnect(grant.username);
  }

  async removePartialFiles(grant: Grant, _why: FinalizeOutcome | 'cancelled'): Promise<string[]> {
    // the journal names exactly this grant's part files, so the outcome does not matter
    const removed: string[] = [];
    let jail: PathJail | null = null;
    try {
      jail = await PathJail.create(grant.root);
    } catch {
      // the folder itself is gone: nothing of ours is left in it
    }
    if (jail) {
      for (const rel of await this.journal.list(grant.transferId)) {
        if (!rel.endsWith(PART_SUFFIX)) continue;
        try {
          const jp = jail.resolveEntry(rel);
          await jail.assertNoSymlinks(jp);
          const st = await fs.lstat(jp.real);
          if (!st.isFile()) continue;
          await fs.unlink(jp.real);
          removed.push(rel);
        } catch {
          // already renamed into place, removed, or no longer ours to touch
        }
      }
    }
    await this.journal.drop(grant.transferId);
    return removed;
  }

  /** bytes this grant's sessions wrote since start (operators' logs, tests of resume) */
  bytesWritten(grant: Grant): number {
    return this.server?.bytesWritten(grant.username) ?? 0;
  }
}
