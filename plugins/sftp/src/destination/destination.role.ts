import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { randomToken } from '@ferry/crypto';
import type { FileManifest } from '@ferry/contracts';
import {
  MechanismError,
  type FinalizeOutcome,
  type FinalizeResult,
  type PluginContext,
  type Preparation,
  type TransferHandle,
} from '@ferry/plugin-sdk';
import { publicKeyBlob, sha256Hex } from '../keys/ssh-key.util';
import { secretNames } from '../secret-names';
import type { SftpOptions } from '../sftp.options';
import type { DestinationBackend } from './destination-backend';
import { isGrantUsable, readGrant, type Grant } from './grant';
import type { GrantStore } from './grant.store';
import { verifyManifest } from './manifest-verifier';

const MAX_REPORTED_MISMATCHES = 1000;

/**
 * The destination side: mint a grant at prepare (inactive), activate it at trigger, revoke it at
 * cancel and at every finalize, verify what arrived. Serving SFTP is the backend's business.
 */
export class DestinationRole {
  constructor(
    private readonly ctx: PluginContext<SftpOptions>,
    private readonly grants: GrantStore,
    private readonly backend: DestinationBackend,
  ) {}

  async prepare(t: TransferHandle, sourcePublicParams: Record<string, unknown>): Promise<Preparation> {
    await checkDestinationFolder(t.localPath, t.path === '');
    const sshPublicKey = sourcePublicParams?.sshPublicKey;
    const blob = publicKeyBlob(sshPublicKey);
    if (typeof sshPublicKey !== 'string' || !blob || !sshPublicKey.startsWith('ssh-ed25519 ')) {
      throw new MechanismError('REJECTED', "the source's parameters carry no valid Ed25519 sshPublicKey");
    }
    const extras = await this.backend.admit(t, sourcePublicParams);
    const existing = readGrant(t.state);
    let token = await this.ctx.secrets.get(secretNames.grantToken(t.id));
    let grant: Grant;
    if (existing && token && existing.sshPublicKey === sshPublicKey && sha256Hex(token) === existing.tokenHash) {
      if (existing.status === 'revoked') throw new MechanismError('INVALID_STATE', 'this transfer has already ended');
      grant = existing; // a retried prepare: same grant, same forPeer
    } else {
      token = randomToken(32);
      await this.ctx.secrets.put(secretNames.grantToken(t.id), token);
      grant = {
        transferId: t.id,
        username: `ferry-${randomBytes(12).toString('hex')}`,
        sshPublicKey,
        tokenHash: sha256Hex(token),
        root: t.localPath,
        account: t.identity.account,
        status: 'pending',
        activateBy: t.triggerDeadline.toISOString(),
        ...extras,
      };
    }
    const endpoint = await this.backend.endpoint(grant);
    return {
      publicParams: {
        backend: this.backend.kind,
        hostKeyFingerprint: endpoint.hostKeyFingerprint,
        ...(endpoint.streams ? { streams: endpoint.streams } : {}),
      },
      forPeer: { ...endpoint, grantToken: token },
      state: { grant },
    };
  }

  async trigger(t: TransferHandle): Promise<void> {
    const grant = readGrant(t.state);
    if (!grant) throw new MechanismError('INVALID_STATE', 'this transfer was not prepared here');
    if (grant.status === 'revoked') throw new MechanismError('INVALID_STATE', 'this transfer has already ended');
    const now = this.ctx.clock.now();
    if (grant.status === 'active') {
      // a retried trigger: make sure the live copy and the server agree, change nothing
      if (!isGrantUsable(grant, now)) throw new MechanismError('INVALID_STATE', 'the grant has expired');
      this.grants.remember(grant);
      await this.backend.install(grant);
      return;
    }
    if (now.getTime() > Date.parse(grant.activateBy)) {
      throw new MechanismError('INVALID_STATE', 'the trigger deadline has passed');
    }
    const active: Grant = {
      ...grant,
      status: 'active',
      activatedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.ctx.options.grantLifetimeSeconds * 1000).toISOString(),
    };
    await this.grants.save(t, active);
    await this.backend.install(active);
    this.ctx.logger.info('grant activated', { transferId: t.id, expiresAt: active.expiresAt });
  }

  async cancel(t: TransferHandle): Promise<void> {
    const grant = await this.revoke(t);
    if (grant) await this.backend.removePartialFiles(grant, 'cancelled');
  }

  async finalize(t: TransferHandle, outcome: FinalizeOutcome, manifest?: FileManifest): Promise<FinalizeResult> {
    const grant = await this.revoke(t);
    if (grant) await this.backend.removePartialFiles(grant, outcome);
    const previous = t.state.finalResult as FinalizeResult | undefined;
    if (previous) return previous;
    let result: FinalizeResult = { ok: true };
    if (outcome === 'succeeded') {
      if (!manifest) {
        result = { ok: false, message: 'no manifest to verify against' };
      } else {
        const all = await verifyManifest(t.localPath, manifest);
        result = all.length
          ? {
              ok: false,
              mismatches: all.slice(0, MAX_REPORTED_MISMATCHES),
              message: `${all.length} of ${manifest.files.length} files differ from the manifest`,
            }
          : { ok: true, message: `${manifest.files.length} files verified (${manifest.verify})` };
      }
    }
    await t.saveState({ finalResult: result });
    if (grant) this.grants.forget(grant.username); // the transfer ends here: no login can find it again
    return result;
  }

  /** After a restart: an active grant that has not expired works again; an expired one is revoked. */
  async recover(t: TransferHandle): Promise<void> {
    const grant = readGrant(t.state);
    if (!grant || grant.status !== 'active') return;
    if (isGrantUsable(grant, this.ctx.clock.now())) {
      this.grants.remember(grant);
      await this.backend.install(grant);
      return;
    }
    await this.revoke(t);
    t.fail('INVALID_STATE', 'the grant expired before the data arrived');
  }

  /** Marks the grant revoked (persisted), ends its sessions, drops the token. Idempotent. */
  private async revoke(t: TransferHandle): Promise<Grant | undefined> {
    const grant = readGrant(t.state);
    await this.ctx.secrets.delete(secretNames.grantToken(t.id));
    if (!grant) return undefined;
    if (grant.status === 'revoked') {
      await this.backend.revoke(grant);
      return grant;
    }
    const revoked: Grant = { ...grant, status: 'revoked', revokedAt: this.ctx.clock.now().toISOString() };
    await this.grants.save(t, revoked);
    await this.backend.revoke(revoked);
    this.ctx.logger.info('grant revoked', { transferId: t.id });
    return revoked;
  }
}

/** The folder must exist; below the drive root it may not be a symlink (it could lead elsewhere). */
async function checkDestinationFolder(p: string, isDriveRoot: boolean): Promise<void> {
  let st;
  try {
    st = isDriveRoot ? await fs.stat(p) : await fs.lstat(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new MechanismError('NOT_FOUND', 'the destination folder does not exist');
    throw e;
  }
  if (!st.isDirectory()) throw new MechanismError('BAD_PATH', 'the destination is not a folder');
}
