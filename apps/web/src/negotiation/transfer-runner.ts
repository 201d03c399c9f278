import type { CreateTransferRequest, ProviderView, TransferOptions, TransferView } from '@ferry/contracts';
import { ApiClient } from '../api/api-client';
import { ApiError, toApiError } from '../api/api-error';
import { ensureKey } from '../keys/key-store';
import { prepareTriggers } from './offer-check';
import { ownerTag, removePending, savePending } from './pending-store';

export interface TransferItem {
  /** shown to the researcher */
  name: string;
  source: { driveId: string; path: string };
}

export type ItemOutcome =
  | { item: TransferItem; ok: true; transfer: TransferView }
  | { item: TransferItem; ok: false; error: ApiError; transferId?: string };

/**
 * Negotiates one transfer per selected item and triggers each one. A negotiation is saved
 * (ciphertext only) before triggering and removed after, so a tab closed in between can be
 * finished or discarded the next time the app opens.
 */
export async function runTransfers(
  api: ApiClient,
  items: TransferItem[],
  destination: { driveId: string; path: string },
  options: TransferOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<ItemOutcome[]> {
  const key = await ensureKey();
  const owner = ownerTag(api.token);
  let providers: ProviderView[] | null = null;
  const outcomes: ItemOutcome[] = [];
  for (const item of items) {
    const req: CreateTransferRequest = { source: item.source, destination, userPublicKey: key.publicKey, options };
    let transfer: TransferView;
    try {
      transfer = await api.createTransfer(req);
    } catch (e) {
      outcomes.push({ item, ok: false, error: toApiError(e) });
      onProgress?.(outcomes.length, items.length);
      continue;
    }
    if (transfer.state === 'REJECTED' || transfer.rejection) {
      const r = transfer.rejection;
      outcomes.push({
        item,
        ok: false,
        transferId: transfer.id,
        error: new ApiError(r?.code ?? 'REJECTED_BY_POLICY', r ? `${r.providerId}: ${r.reason}` : 'the transfer was rejected'),
      });
      onProgress?.(outcomes.length, items.length);
      continue;
    }
    try {
      await savePending(owner, transfer);
      providers ??= await api.providers();
      outcomes.push({ item, ok: true, transfer: await finishTransfer(api, transfer, providers, key) });
    } catch (e) {
      outcomes.push({ item, ok: false, transferId: transfer.id, error: toApiError(e) });
    }
    onProgress?.(outcomes.length, items.length);
  }
  return outcomes;
}

/** Verifies, opens and triggers one negotiated transfer, then forgets the pending copy. */
export async function finishTransfer(
  api: ApiClient,
  transfer: TransferView,
  providers?: ProviderView[],
  key?: { publicKey: string; secretKey: string },
): Promise<TransferView> {
  const k = key ?? (await ensureKey());
  if (transfer.userPublicKey && transfer.userPublicKey !== k.publicKey) {
    throw new ApiError(
      'KEY_MISMATCH',
      'this transfer was prepared for another key pair; import that key (Key page) to finish it, or discard it',
    );
  }
  const request = prepareTriggers(transfer, k, providers ?? (await api.providers()));
  let triggered: TransferView;
  try {
    triggered = await api.trigger(transfer.id, request);
  } catch (e) {
    const err = toApiError(e);
    // Already triggered (e.g. from another tab): nothing left to finish.
    if (err.code === 'TRIGGER_REPLAYED') {
      await removePending(transfer.id);
      return api.transfer(transfer.id);
    }
    throw err;
  }
  await removePending(transfer.id);
  return triggered;
}
