import { generateBoxKeyPair } from '@ferry/crypto';
import type {
  CreateTransferRequest,
  CreateTunnelRequest,
  SealedParams,
  TaskState,
  TaskView,
  TransferOptions,
  TransferView,
  TriggerRequest,
  TunnelView,
} from '@ferry/contracts';
import { isEndState } from '@ferry/contracts';
import { ApiError } from '../../apps/cli/src/api/api.error';
import { CoreApiClient } from '../../apps/cli/src/api/core-api.client';
import { negotiateTriggers, newTunnelSecret, OpenedOffer, ResearcherKeyPair, TrustedProviderKeys, tunnelTriggerUser } from '../../apps/cli/src/negotiation';

/** What a tunnel needs besides the key (initiator, listener, target, lifetime, label). */
export type TunnelOrder = Omit<CreateTunnelRequest, 'userPublicKey'>;

export interface OpenedTunnel {
  tunnel: TunnelView;
  /** the secret each side's trigger carried (the same unless a test chose otherwise) */
  secrets: { source: string; destination: string };
}

export interface PreparedTransfer {
  transfer: TransferView;
  request: TriggerRequest;
  opened: OpenedOffer[];
  /** what the researcher read from each gateway's sealed parameters (for leak checks) */
  sealedParams: Record<string, SealedParams>;
}

/**
 * A researcher as the e2e suite drives one: the CLI's API client and its negotiation module
 * (verify offers, open, build triggers), with helpers to wait for task states.
 */
export class ResearcherClient {
  readonly api: CoreApiClient;
  readonly key: ResearcherKeyPair = generateBoxKeyPair();

  constructor(
    readonly coreUrl: string,
    readonly token: string,
  ) {
    this.api = new CoreApiClient({ url: coreUrl, token });
  }

  create(src: string, dst: string, options: TransferOptions = {}, userPublicKey = this.key.publicKey): Promise<TransferView> {
    const req: CreateTransferRequest = { source: ref(src), destination: ref(dst), userPublicKey, options };
    return this.api.createTransfer(req);
  }

  async trustedKeys(): Promise<Record<string, TrustedProviderKeys>> {
    const out: Record<string, TrustedProviderKeys> = {};
    for (const p of await this.api.providers()) out[p.id] = { signPublicKey: p.signPublicKey, boxPublicKey: p.boxPublicKey };
    return out;
  }

  /** Creates a transfer and builds its triggers without sending them. */
  async prepare(src: string, dst: string, options: TransferOptions = {}): Promise<PreparedTransfer> {
    const transfer = await this.create(src, dst, options);
    return this.negotiate(transfer);
  }

  async negotiate(transfer: TransferView): Promise<PreparedTransfer> {
    const { request, opened } = negotiateTriggers(transfer, this.key, await this.trustedKeys());
    const sealedParams = Object.fromEntries(opened.map((o) => [o.offer.role, o.params]));
    return { transfer, request, opened, sealedParams };
  }

  /** create + negotiate + trigger: what `ferry transfer` does */
  async start(src: string, dst: string, options: TransferOptions = {}): Promise<PreparedTransfer> {
    const p = await this.prepare(src, dst, options);
    p.transfer = await this.api.trigger(p.transfer.id, p.request);
    return p;
  }

  /** create + negotiate + trigger a tunnel, as `ferry tunnel create` does; `secrets` lets a test give the two sides different ones. */
  async openTunnel(order: TunnelOrder, secrets?: { source: string; destination: string }): Promise<OpenedTunnel> {
    const created = await this.api.createTunnel({ ...order, userPublicKey: this.key.publicKey });
    const s = secrets ?? { source: newTunnelSecret(), destination: '' };
    if (!secrets) s.destination = s.source;
    const user = { source: tunnelTriggerUser(s.source).source, destination: tunnelTriggerUser(s.destination).destination };
    const { request } = negotiateTriggers(created, this.key, await this.trustedKeys(), user);
    return { tunnel: await this.api.triggerTunnel(created.id, request), secrets: s };
  }

  /** Polls the tunnel until the initiator reports its listen address; returns host and port. */
  async listenAddress(id: string, timeoutMs = 60_000): Promise<{ host: string; port: number; text: string }> {
    const t = await this.waitTask(id, (x) => !!x.tunnel?.listenAddress || isEndState(x.state), timeoutMs);
    const text = t.tunnel?.listenAddress;
    if (!text) throw new Error(`tunnel ${id} ended ${t.state} without listening: ${JSON.stringify(t.error)}`);
    const i = text.lastIndexOf(':');
    return { host: text.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(text.slice(i + 1)), text };
  }

  /** Polls the task until `until` says so (default: an end state); fails after timeoutMs. */
  async waitTask(id: string, until: (t: TaskView) => boolean = (t) => isEndState(t.state), timeoutMs = 120_000): Promise<TaskView> {
    const deadline = Date.now() + timeoutMs;
    let last: TaskView | undefined;
    while (Date.now() < deadline) {
      last = await this.api.task(id);
      if (until(last)) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`task ${id} did not reach the expected condition in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
  }

  waitState(id: string, states: TaskState[], timeoutMs?: number): Promise<TaskView> {
    return this.waitTask(
      id,
      (t) => {
        if (states.includes(t.state)) return true;
        if (isEndState(t.state)) fail(t, states);
        return false;
      },
      timeoutMs,
    );
  }

  /** The ApiError a call fails with (fails the test if the call succeeds). */
  async error(p: Promise<unknown>): Promise<ApiError> {
    try {
      const r = await p;
      throw new Error(`expected an API error, got ${JSON.stringify(r).slice(0, 500)}`);
    } catch (e) {
      if (e instanceof ApiError) return e;
      throw e;
    }
  }
}

function fail(t: TaskView, wanted: TaskState[]): never {
  throw new Error(`task ${t.id} ended ${t.state} while waiting for ${wanted.join('|')}: ${JSON.stringify(t.error)}`);
}

/** 'drive:path' -> DriveRef */
export function ref(text: string): { driveId: string; path: string } {
  const i = text.indexOf(':');
  return { driveId: text.slice(0, i), path: text.slice(i + 1) };
}
