import { MechanismError, type Preparation, type TransferHandle } from '@ferry/plugin-sdk';
import { asDir, basename, collectionPath, globusDrive, joinPath, localResolver } from './collection-path.util';
import { GlobusApiError, toMechanismError } from './globus-api.error';
import { SYNC_LEVELS } from './globus-options.schema';
import type { GlobusDeps } from './globus.deps';
import type { GlobusTransferItem } from './globus.types';
import { destinationParamsSchema, parsePeer, type DestinationParams, type SourceParams } from './peer-params.schema';

/** Persisted (non-secret) state of the source side. */
interface SourceState {
  collectionId: string;
  sourcePath: string;
  itemType: 'file' | 'dir';
  isDriveRoot: boolean;
  peer?: DestinationParams;
  submissionId?: string;
  taskId?: string;
  /** the Globus task's final status once the poller saw it end */
  globusOutcome?: string;
}

/**
 * Source side: offers its application identity and collection; on trigger submits ONE Globus task
 * (submission id persisted before submitting, so a retried trigger or a restart gets Duplicate and
 * the same task id) and hands it to the poller.
 */
export class SourceSide {
  constructor(private readonly d: GlobusDeps) {}

  async prepare(t: TransferHandle): Promise<Preparation> {
    const drive = globusDrive(t.drive);
    const sourcePath = collectionPath(drive.basePath, t.path);
    let itemType: 'file' | 'dir' = 'dir';
    if (t.path !== '') {
      try {
        const st = await this.d.client.stat(drive.collectionId, sourcePath);
        if (st.type !== 'file' && st.type !== 'dir') throw new MechanismError('REJECTED', `${t.path} is neither a file nor a folder`, 'fatal');
        itemType = st.type;
      } catch (e) {
        if (e instanceof GlobusApiError && e.status === 404) throw new MechanismError('REJECTED', `source path '${t.path}' does not exist on the Globus collection`, 'fatal');
        throw toMechanismError(e, 'checking the source path');
      }
    }
    const { clientId } = this.d.options;
    const publicParams: SourceParams = {
      mechanism: 'globus',
      applicationIdentity: `${clientId}@clients.auth.globus.org`,
      // a Globus Auth client's identity id is its client id
      identityId: clientId,
      collectionId: drive.collectionId,
      path: sourcePath,
      type: itemType,
      isDriveRoot: t.path === '',
    };
    const state: SourceState = { collectionId: drive.collectionId, sourcePath, itemType, isDriveRoot: t.path === '' };
    return { publicParams, forPeer: {}, state: { ...state } };
  }

  async trigger(t: TransferHandle, peerRaw: Record<string, unknown>): Promise<void> {
    const s = t.state as unknown as SourceState;
    if (s.globusOutcome) return; // it has ended; a late repeated trigger changes nothing
    if (s.taskId) return this.follow(t, s.taskId); // a retried trigger: the task exists already
    const peer = parsePeer(destinationParamsSchema, peerRaw, "the destination's parameters");
    await t.saveState({ peer });
    await this.submit(t, peer);
  }

  /** After a restart: follow the persisted task, or finish a submission that may or may not have happened. */
  async recover(t: TransferHandle): Promise<void> {
    const s = t.state as unknown as SourceState;
    if (s.taskId) return this.follow(t, s.taskId);
    if (s.peer) return this.submit(t, s.peer);
    t.fail('INVALID_STATE', 'the gateway restarted before this Globus transfer was submitted and its destination is unknown');
  }

  async cancel(t: TransferHandle): Promise<void> {
    const taskId = (t.state as unknown as SourceState).taskId;
    if (!taskId) return;
    this.d.poller.markCancelling(t.id);
    try {
      await this.d.client.cancelTask(taskId);
    } catch (e) {
      if (!(e instanceof GlobusApiError && e.status === 404)) throw toMechanismError(e, 'cancelling the Globus task');
    } finally {
      this.d.poller.unwatch(t.id);
    }
  }

  async finalize(t: TransferHandle, outcome: string): Promise<void> {
    const taskId = (t.state as unknown as SourceState).taskId;
    if (taskId && outcome !== 'succeeded' && this.d.poller.isWatching(t.id)) await this.cancel(t);
    this.d.poller.unwatch(t.id);
    await this.d.manifests.remove(t.id);
  }

  private async submit(t: TransferHandle, peer: DestinationParams): Promise<void> {
    const s = t.state as unknown as SourceState;
    try {
      let submissionId = s.submissionId;
      if (!submissionId) {
        submissionId = await this.d.client.submissionId();
        // persisted BEFORE submitting: whatever happens next, a retry reuses it (Globus: Duplicate)
        await t.saveState({ submissionId });
      }
      const summary = await this.manifest(t);
      const result = await this.d.client.submitTransfer({
        DATA_TYPE: 'transfer',
        submission_id: submissionId,
        source_endpoint: s.collectionId,
        destination_endpoint: peer.collectionId,
        label: t.id,
        ...(this.d.options.syncLevel === null ? {} : { sync_level: SYNC_LEVELS[this.d.options.syncLevel] }),
        verify_checksum: t.options.verify === 'checksum',
        encrypt_data: this.d.options.encryptData,
        DATA: [this.item(s, peer)],
      });
      await t.saveState({ taskId: result.task_id });
      this.d.log.info('globus: transfer submitted', { transferId: t.id, taskId: result.task_id, code: result.code });
      t.report({ bytesDone: 0, bytesTotal: summary.bytesTotal, filesDone: 0, filesTotal: summary.filesTotal, message: `Submitted to Globus as task ${result.task_id}` });
      if (t.signal.aborted) {
        // cancelled while we were submitting: do not leave a Globus task running
        await this.cancel(t);
        return;
      }
      await this.follow(t, result.task_id);
    } catch (e) {
      throw toMechanismError(e, 'submitting the Globus transfer');
    }
  }

  private manifest(t: TransferHandle) {
    const s = t.state as unknown as SourceState;
    const drive = globusDrive(t.drive);
    return this.d.manifests.loadOrBuild(
      t.id,
      { collectionId: s.collectionId, path: s.sourcePath, type: s.itemType, isDriveRoot: s.isDriveRoot, localOf: localResolver(t.drive, drive.basePath) },
      t.options.verify === 'checksum' ? 'checksum' : 'size',
    );
  }

  private async follow(t: TransferHandle, taskId: string): Promise<void> {
    if (this.d.poller.isWatching(t.id) || (t.state as unknown as SourceState).globusOutcome) return;
    const summary = await this.manifest(t);
    this.d.poller.watch({
      taskId,
      handle: t,
      totals: { bytes: summary.bytesTotal, files: summary.filesTotal },
      manifest: async () => summary.manifest,
    });
  }

  /** `cp -r SRC DSTDIR/`: the item lands INTO the destination folder; a drive root copies its contents. */
  private item(s: SourceState, peer: DestinationParams): GlobusTransferItem {
    if (s.itemType === 'file') {
      return { DATA_TYPE: 'transfer_item', source_path: s.sourcePath, destination_path: joinPath(peer.path, basename(s.sourcePath)), recursive: false };
    }
    const dst = s.isDriveRoot ? peer.path : joinPath(peer.path, basename(s.sourcePath));
    return { DATA_TYPE: 'transfer_item', source_path: asDir(s.sourcePath), destination_path: asDir(dst), recursive: true };
  }
}
