import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import {
  accountCanWrite,
  AuthorizedKeysManager,
  hostKeyResolver,
  isValidTransferId,
  KeySweeper,
  lookupAccount,
  mappedAccount,
  revokeTransferKey,
  sftpCommand,
  taggedCommand,
  type HostKeyInfo,
} from '@ferry/openssh';
import {
  isMechanismError,
  MechanismError,
  type Clock,
  type FinalizeOutcome,
  type PluginLogger,
  type TransferDirectory,
  type TransferHandle,
} from '@ferry/plugin-sdk';
import type { OpensshBackendOptions } from '../sftp.options';
import type { BackendEndpoint, DestinationBackend, GrantExtras } from './destination-backend';
import { readGrant, type Grant } from './grant';
import { OpensshKeyRecords } from './openssh-key-records';
import { removeOpensshPartials } from './openssh-partials.util';

export interface OpensshBackendDeps {
  options: OpensshBackendOptions;
  /** the plugin's own folder (records of installed keys) */
  dataDir: string;
  transfers: TransferDirectory;
  clock: Clock;
  logger: PluginLogger;
}

const ADDRESS = /^!?[A-Za-z0-9.:/*?_-]{1,255}$/;

/**
 * Serves grants from the site's own sshd. A grant becomes one line in the mapped account's file of
 * the authorized-keys folder (AuthorizedKeysFile <dir>/%u):
 *
 *   restrict,expiry-time="…Z"[,from="…"],command="'/usr/bin/env' FERRY_TRANSFER_ID=<id> '<sftp-server>' -d '<folder>'" ssh-ed25519 … ferry:<id>:<expiry>
 *
 * sshd enforces all of it (no forwarding, no PTY, only the forced sftp-server, no login after the
 * expiry even if the gateway is down). The session runs with the account's own rights: the folder
 * is where it starts, not a jail (docs/operator-guide-openssh.md compares this with 'embedded').
 */
export class OpensshBackend implements DestinationBackend {
  readonly kind = 'openssh';
  private readonly keys: AuthorizedKeysManager;
  private readonly hostKey: () => Promise<HostKeyInfo>;
  private readonly sweeper: KeySweeper;
  private readonly records: OpensshKeyRecords;

  constructor(private readonly d: OpensshBackendDeps) {
    const o = d.options;
    this.keys = new AuthorizedKeysManager({ dir: o.authorizedKeysDir, ownership: o.keyFileOwnership, logger: d.logger, clock: d.clock });
    this.hostKey = hostKeyResolver({ hostPublicKeyFile: o.hostPublicKeyFile, hostKeyFingerprint: o.hostKeyFingerprint, host: o.host, port: o.port });
    this.records = new OpensshKeyRecords(path.join(d.dataDir, 'openssh-keys'));
    this.sweeper = new KeySweeper(this.keys, {
      intervalMs: o.sweepIntervalMs,
      clock: d.clock,
      logger: d.logger,
      also: (now) => this.sweepEnded(now),
    });
  }

  async start(): Promise<void> {
    for (const problem of await this.keys.checkDirectory()) this.d.logger.warn(`openssh.authorizedKeysDir: ${problem}`);
    // not fatal: sshd may start after the gateway; prepare resolves it again (and fails clearly)
    await this.hostKey().catch((e: Error) => this.d.logger.warn(`sshd host key not available yet: ${e.message}`));
    await this.sweeper.start();
  }

  async stop(): Promise<void> {
    await this.sweeper.stop();
  }

  /** One sweep now: expired keys, and keys of transfers that ended or whose grant expired. */
  sweep(): Promise<void> {
    return this.sweeper.sweep();
  }

  async admit(t: TransferHandle, sourcePublicParams: Record<string, unknown>): Promise<GrantExtras> {
    if (!isValidTransferId(t.id)) throw new MechanismError('REJECTED', 'transfer id cannot be written into an authorized_keys line');
    const account = await mappedAccount(t.identity, 'sftp');
    let st: Stats;
    try {
      st = await fs.stat(t.localPath);
    } catch {
      throw new MechanismError('NOT_FOUND', 'the destination folder does not exist');
    }
    if (!(await accountCanWrite(t.localPath, st, account))) {
      throw new MechanismError('PERMISSION_DENIED', `account ${account.name} cannot write to the destination folder '${t.path || '/'}'`);
    }
    this.command(t.id, t.localPath); // a folder that cannot go into the forced command is refused now, not at trigger
    await this.hostKey();
    const from = this.d.options.peerAddresses?.[t.peer.providerId] ?? announcedAddresses(sourcePublicParams);
    return from ? { sourceAddresses: from } : {};
  }

  async endpoint(grant: Grant): Promise<BackendEndpoint> {
    const o = this.d.options;
    const hk = await this.hostKey();
    return {
      host: o.advertiseHost ?? o.host,
      port: o.port,
      hostKeyFingerprint: hk.fingerprint,
      username: grant.account,
      // sessions start in the account's home (or -d), and see the whole file system: send absolute paths
      remotePath: grant.root,
    };
  }

  /**
   * Adds the key with the same expiry however often it is called (from activatedAt), so a
   * repeated trigger or a recover never extends it; once that moment has passed there is nothing
   * to install (sshd would refuse the key), and sessions already open go on until revoke.
   */
  async install(grant: Grant): Promise<void> {
    const expiresAt = this.keyExpiry(grant);
    if (expiresAt.getTime() <= this.d.clock.now().getTime()) {
      this.d.logger.info('the key login window has passed; not installing it again', { transferId: grant.transferId });
      return;
    }
    // recorded first: if the gateway dies between the two, the sweep still finds the key
    await this.records.note({ transferId: grant.transferId, account: grant.account });
    await this.keys.add({
      account: grant.account,
      transferId: grant.transferId,
      publicKey: grant.sshPublicKey,
      command: this.command(grant.transferId, grant.root),
      expiresAt,
      from: grant.sourceAddresses,
    });
  }

  async revoke(grant: Grant): Promise<void> {
    await revokeTransferKey(this.keys, grant.transferId, { account: grant.account, endSessions: !!grant.activatedAt, logger: this.d.logger });
    await this.records.drop(grant.transferId);
  }

  async removePartialFiles(grant: Grant, why: FinalizeOutcome | 'cancelled'): Promise<string[]> {
    if (!grant.activatedAt) return []; // never installed: no session can have written anything
    // a succeeded upload renamed all of its part files; any left now belong to someone else
    if (why === 'succeeded') return [];
    // without the account's uid we cannot tell its files from anyone else's: remove nothing
    const uid = await lookupAccount(grant.account).then((a) => a.uid, () => undefined);
    if (uid === undefined) return [];
    const removed = await removeOpensshPartials(grant.root, new Date(grant.activatedAt), uid);
    if (removed.length > 0) this.d.logger.info('removed partial files', { transferId: grant.transferId, count: removed.length });
    return removed;
  }

  /** when sshd stops accepting the key: keyLifetimeMinutes after activation, never after the grant */
  keyExpiry(grant: Grant): Date {
    const activated = Date.parse(grant.activatedAt ?? '');
    const byLifetime = activated + this.d.options.keyLifetimeMinutes * 60_000;
    const byGrant = Date.parse(grant.expiresAt ?? '');
    return new Date(Math.min(byLifetime, Number.isNaN(byGrant) ? byLifetime : byGrant));
  }

  private command(transferId: string, folder: string): string {
    const o = this.d.options;
    try {
      return taggedCommand(transferId, sftpCommand({ server: { sftpServerPath: o.sftpServerPath }, startDir: folder }), o.envPath);
    } catch (e) {
      if (isMechanismError(e)) throw new MechanismError('BAD_PATH', `the destination folder cannot be used with sftp-server: ${e.message}`);
      throw e;
    }
  }

  /**
   * Keys of transfers that are over for this gateway (finalized, or gone from its directory) or
   * whose grant has expired: removed, with their open sessions (the embedded server ends a session
   * at the grant's expiry too).
   */
  private async sweepEnded(now: Date): Promise<void> {
    for (const r of await this.records.list()) {
      const t = await this.d.transfers.get(r.transferId);
      const grant = t?.role === 'destination' ? readGrant(t.state) : undefined;
      const expired = !!grant?.expiresAt && now.getTime() >= Date.parse(grant.expiresAt);
      if (grant && grant.status !== 'revoked' && !expired) continue;
      await revokeTransferKey(this.keys, r.transferId, { account: r.account, endSessions: true, logger: this.d.logger });
      await this.records.drop(r.transferId);
      this.d.logger.info('swept the key of a transfer that ended or expired', { transferId: r.transferId });
    }
  }
}

/** sourceAddresses a source may announce in its publicParams (the rsync plugin's field) */
function announcedAddresses(params: Record<string, unknown>): string[] | undefined {
  const a = params?.sourceAddresses;
  if (!Array.isArray(a) || a.length === 0) return undefined;
  if (a.length > 32 || !a.every((x) => typeof x === 'string' && ADDRESS.test(x))) {
    throw new MechanismError('REJECTED', "the source's sourceAddresses are not address patterns");
  }
  return a as string[];
}
