import type { FileManifest } from '@ferry/contracts';
import { MechanismError, type FinalizeResult, type Preparation, type TransferHandle } from '@ferry/plugin-sdk';
import * as posix from 'node:path/posix';
import { sleep } from './backoff.util';
import { asDir, collectionPath, globusDrive, localResolver } from './collection-path.util';
import { GlobusApiError, toMechanismError } from './globus-api.error';
import type { GlobusDeps } from './globus.deps';
import type { GlobusFileEntry } from './globus.types';
import { sha256Of } from './manifest.store';
import { parsePeer, sourceParamsSchema, type DestinationParams } from './peer-params.schema';

/** Persisted (non-secret) state of the destination side. */
interface DestinationState {
  collectionId: string;
  destPath: string;
  aclPath: string;
  principal: string;
  accessId: string;
  aclRevoked?: boolean;
  /** the entry the source item lands as (basename of the source path); null when a drive root's contents come */
  itemName: string | null;
  /** names in the destination folder before the transfer (only those cancel may never delete); null: unknown */
  existedAtPrepare: string[] | null;
  cleaned?: boolean;
}

/** above this many entries in the destination folder, a root copy is not cleaned up on cancel */
const MAX_REMEMBERED_NAMES = 10_000;

/**
 * Destination side: grants the source's application identity rw on the destination folder with an
 * ACL rule on the guest collection, and removes that rule on finalize, cancel, failure or expiry.
 */
export class DestinationSide {
  constructor(private readonly d: GlobusDeps) {}

  async prepare(t: TransferHandle, sourceRaw: Record<string, unknown>): Promise<Preparation> {
    const src = parsePeer(sourceParamsSchema, sourceRaw, "the source's public parameters");
    const drive = globusDrive(t.drive);
    const destPath = collectionPath(drive.basePath, t.path);
    const params: DestinationParams = { mechanism: 'globus', collectionId: drive.collectionId, path: destPath };
    const prior = t.state as Partial<DestinationState>;
    if (prior.accessId && !prior.aclRevoked) return { publicParams: { ...params }, forPeer: { ...params }, state: { ...prior } };

    await this.checkFolder(drive.collectionId, destPath, t.path);
    // a source drive root (type dir, path = its basePath) sends its contents, not itself
    const itemName = src.isDriveRoot ? null : posix.basename(src.path) || null;
    const existedAtPrepare = await this.existing(drive.collectionId, destPath, itemName);
    const aclPath = asDir(destPath);
    const accessId = await this.grant(drive.collectionId, src.identityId, aclPath);
    const state: DestinationState = { collectionId: drive.collectionId, destPath, aclPath, principal: src.identityId, accessId, itemName, existedAtPrepare };
    this.d.log.info('globus: ACL rule created for the source application', { transferId: t.id, collectionId: drive.collectionId, path: aclPath, accessId });
    return { publicParams: { ...params }, forPeer: { ...params }, state: { ...state } };
  }

  /** The grant exists since prepare; nothing else to install. */
  async trigger(t: TransferHandle): Promise<void> {
    const s = t.state as Partial<DestinationState>;
    if (!s.accessId || s.aclRevoked) throw new MechanismError('INVALID_STATE', 'the Globus ACL rule for this transfer was already removed', 'fatal');
  }

  /** Revoke first (the source can write no more), then remove what this transfer created. */
  async cancel(t: TransferHandle): Promise<void> {
    await this.revoke(t);
    await this.cleanUp(t);
  }

  async finalize(t: TransferHandle, outcome: string, manifest?: FileManifest): Promise<FinalizeResult> {
    try {
      if (outcome !== 'succeeded' || !manifest) return { ok: true };
      return await this.verify(t, manifest);
    } finally {
      await this.revoke(t);
      if (outcome === 'cancelled') await this.cleanUp(t);
    }
  }

  /** Names in the destination folder that a cancel must leave alone. */
  private async existing(collectionId: string, destPath: string, itemName: string | null): Promise<string[] | null> {
    try {
      const entries = await this.d.client.lsAll(collectionId, asDir(destPath), this.d.options.lsPageSize);
      if (itemName !== null) return entries.some((e) => e.name === itemName) ? [itemName] : [];
      return entries.length > MAX_REMEMBERED_NAMES ? null : entries.map((e) => e.name);
    } catch (e) {
      throw toMechanismError(e, 'listing the destination folder');
    }
  }

  /**
   * Globus writes files in place, so a cancelled task leaves partial files. Delete (with a Globus
   * delete task, as the collection's owner) what this transfer created: the arriving item when it
   * did not exist before, or, for a drive root's contents, every entry that was not there before.
   */
  private async cleanUp(t: TransferHandle): Promise<void> {
    const s = t.state as Partial<DestinationState>;
    if (s.cleaned || !s.collectionId || !s.destPath || !s.existedAtPrepare) return;
    const before = new Set(s.existedAtPrepare);
    let entries: GlobusFileEntry[] = [];
    try {
      entries = await this.d.client.lsAll(s.collectionId, asDir(s.destPath), this.d.options.lsPageSize);
    } catch (e) {
      if (!(e instanceof GlobusApiError && e.status === 404)) throw toMechanismError(e, 'listing the destination to clean up');
    }
    const doomed = entries.filter((e) => !before.has(e.name) && (s.itemName === null || s.itemName === undefined || e.name === s.itemName));
    if (doomed.length > 0) {
      try {
        const taskId = await this.d.client.submitDelete(s.collectionId, doomed.map((e) => posix.join(s.destPath!, e.name)), `${t.id} cleanup`);
        await this.waitForTask(taskId);
        this.d.log.info('globus: removed what the cancelled transfer had written', { transferId: t.id, entries: doomed.length, taskId });
      } catch (e) {
        throw toMechanismError(e, 'removing partial files');
      }
    }
    await t.saveState({ cleaned: true });
  }

  private async waitForTask(taskId: string): Promise<void> {
    for (let i = 0, delay = 50; i < 200; i++, delay = Math.min(delay * 2, 2000)) {
      const doc = await this.d.client.getTask(taskId);
      if (doc.status === 'SUCCEEDED') return;
      if (doc.status === 'FAILED') throw new MechanismError('REMOTE_ERROR', `Globus delete task ${taskId} failed: ${doc.fatal_error?.code ?? ''} ${doc.fatal_error?.description ?? ''}`, 'no-retry');
      await sleep(delay);
    }
    throw new MechanismError('REMOTE_ERROR', `Globus delete task ${taskId} did not finish in time`, 'retry');
  }

  private async checkFolder(collectionId: string, destPath: string, rel: string): Promise<void> {
    try {
      const st = await this.d.client.stat(collectionId, destPath);
      if (st.type !== 'dir') throw new MechanismError('REJECTED', `destination '${rel}' is not a folder`, 'fatal');
    } catch (e) {
      if (e instanceof GlobusApiError && e.status === 404) throw new MechanismError('REJECTED', `destination folder '${rel}' does not exist on the Globus collection`, 'fatal');
      throw toMechanismError(e, 'checking the destination folder');
    }
  }

  /** Creates the rule; when Globus says it exists (409), reuses the existing rule for that principal and path. */
  private async grant(collectionId: string, principal: string, aclPath: string): Promise<string> {
    try {
      return await this.d.client.createAccessRule(collectionId, { principal, path: aclPath, permissions: 'rw' });
    } catch (e) {
      if (!(e instanceof GlobusApiError && e.status === 409)) throw toMechanismError(e, 'creating the ACL rule');
      const rules = await this.d.client.accessRules(collectionId).catch((err) => {
        throw toMechanismError(err, 'listing ACL rules');
      });
      const same = rules.find((r) => r.principal === principal && r.path === aclPath && r.permissions === 'rw');
      if (!same) throw toMechanismError(e, 'creating the ACL rule');
      return same.id;
    }
  }

  /** Deletes the rule unless another live transfer to the same folder still relies on it. */
  private async revoke(t: TransferHandle): Promise<void> {
    const s = t.state as Partial<DestinationState>;
    if (!s.accessId || !s.collectionId || s.aclRevoked) return;
    const others = (await this.d.transfers.active()).filter(
      (o) => o.id !== t.id && o.role === 'destination' && (o.state as Partial<DestinationState>).accessId === s.accessId && !(o.state as Partial<DestinationState>).aclRevoked,
    );
    if (others.length === 0) {
      try {
        await this.d.client.deleteAccessRule(s.collectionId, s.accessId);
      } catch (e) {
        throw toMechanismError(e, 'deleting the ACL rule');
      }
      this.d.log.info('globus: ACL rule deleted', { transferId: t.id, accessId: s.accessId });
    }
    await t.saveState({ aclRevoked: true });
  }

  /** Sizes of what arrived against the manifest (Globus itself verified checksums when asked). */
  private async verify(t: TransferHandle, manifest: FileManifest): Promise<FinalizeResult> {
    const s = t.state as unknown as DestinationState;
    const localOf = localResolver(t.drive, globusDrive(t.drive).basePath);
    const listings = new Map<string, Map<string, GlobusFileEntry> | null>();
    const mismatches: NonNullable<FinalizeResult['mismatches']> = [];
    for (const f of manifest.files) {
      const dir = posix.dirname(posix.join(s.destPath, f.path));
      if (!listings.has(dir)) listings.set(dir, await this.list(s.collectionId, dir));
      const entry = listings.get(dir)?.get(posix.basename(f.path));
      if (!entry || entry.type !== 'file') mismatches.push({ path: f.path, expected: String(f.size), actual: null });
      else if (entry.size !== f.size) mismatches.push({ path: f.path, expected: String(f.size), actual: String(entry.size) });
      else if (manifest.verify === 'checksum' && f.sha256 && localOf) {
        // the storage is mounted here: check the bytes too, independently of Globus
        const actual = await sha256Of(localOf(posix.join(s.destPath, f.path))).catch(() => null);
        if (actual !== f.sha256) mismatches.push({ path: f.path, expected: f.sha256, actual });
      }
    }
    const how =
      manifest.verify !== 'checksum' ? 'sizes checked' : localOf ? 'sizes and sha256 checked here, checksums verified by Globus' : 'sizes checked here, checksums verified by Globus';
    return mismatches.length
      ? { ok: false, mismatches, message: `${mismatches.length} of ${manifest.files.length} files differ at the destination` }
      : { ok: true, message: `${manifest.files.length} files arrived (${how})` };
  }

  private async list(collectionId: string, dir: string): Promise<Map<string, GlobusFileEntry> | null> {
    try {
      const entries = await this.d.client.lsAll(collectionId, asDir(dir), this.d.options.lsPageSize);
      return new Map(entries.map((e) => [e.name, e]));
    } catch (e) {
      if (e instanceof GlobusApiError && e.status === 404) return null;
      throw toMechanismError(e, 'listing the destination to verify it');
    }
  }
}
