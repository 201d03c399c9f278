import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, type OfferSigned, type PrepareRequest, type PrepareResponse, type SealedParams } from '@ferry/contracts';
import { isBoxPublicKey, randomToken, seal, signObject } from '@ferry/crypto';
import type { Preparation } from '@ferry/plugin-sdk';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config';
import { GATEWAY_KEYS, type GatewayKeys } from '../../keys/gateway-keys';
import { TransferRepository } from '../../persistence/transfer.repository';
import type { NewTransfer, TransferRecord } from '../../persistence/transfer.record';
import type { GuardedPlugin } from '../../plugins/guarded-plugin';
import { TransferFinalizer } from '../../lifecycle/transfer-finalizer.service';
import { PluginHost } from '../../plugins/plugin-host.service';
import { confinePath } from '../../plugins/path-confinement.util';
import { PolicyService } from '../../policy/policy.service';
import { TransferRuntime } from '../../runtime/transfer-runtime.service';
import { chooseMechanism } from '../mechanism-choice.util';
import { hashValue, sha256Hex } from '../transfer-hash.util';
import { PrepareTransferCommand } from './prepare-transfer.command';

type Refusal = Extract<PrepareResponse, { accepted: false }>;
const REFUSAL_CODES: ReadonlyArray<Refusal['code']> = ['REJECTED_BY_POLICY', 'NO_COMMON_MECHANISM', 'BAD_PATH', 'NOT_FOUND'];
/** What the checks decided for a prepare they let through. */
interface Checked {
  policy: { agreement: string };
  choice: { mechanism: string };
  plugin: GuardedPlugin;
  path: string;
}
const refuse = (code: Refusal['code'], reason: string): Refusal => ({ accepted: false, code, reason });

/**
 * prepare: policy, then mechanism, then the path, then the plugin; mints the trigger token (only its
 * sha256 is kept), seals the researcher's parameters and signs the offer. Idempotent by
 * (transfer, role): the stored answer is returned again, and a different request for the same id
 * is refused. Refusals change nothing.
 */
@CommandHandler(PrepareTransferCommand)
export class PrepareTransferHandler implements ICommandHandler<PrepareTransferCommand, PrepareResponse> {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(GATEWAY_KEYS) private readonly keys: GatewayKeys,
    private readonly repo: TransferRepository,
    private readonly plugins: PluginHost,
    private readonly policy: PolicyService,
    private readonly runtime: TransferRuntime,
    private readonly finalizer: TransferFinalizer,
  ) {}

  async execute({ request: req }: PrepareTransferCommand): Promise<PrepareResponse> {
    if (!isBoxPublicKey(req.userPublicKey)) throw new DomainError('BAD_KEY', 'userPublicKey must be a base64 X25519 public key');
    if (!this.config.identities.some((i) => i.name === req.identity)) {
      throw new DomainError('NO_IDENTITY_MAPPING', `identity '${req.identity}' is not configured at ${this.config.id}`);
    }
    const requestHash = hashValue({
      role: req.role, identity: req.identity, drive: req.drive, path: req.path, peer: req.peer.providerId,
      userPublicKey: req.userPublicKey, options: req.options, mechanism: req.mechanism ?? null, tunnel: req.tunnel ?? null,
    });
    // The common case is a transfer this gateway has not seen: it is checked and claimed with one
    // INSERT, without looking it up first (each PGlite statement costs 1-2 ms). Only a claim that
    // finds a row, or a check that refuses or fails, looks up what is there, and what is there wins
    // as if it had been looked up first: the stored answer of a finished preparation, or
    // ALREADY_EXISTS for a different request under the same id.
    let checked: Checked | Refusal;
    try {
      checked = await this.check(req);
    } catch (e) {
      const stored = await this.existingAnswer(req, requestHash);
      if (stored) return stored;
      throw e;
    }
    if ('accepted' in checked) return (await this.existingAnswer(req, requestHash)) ?? checked;

    // The claim, the plugin's prepare and the completion run exclusive with a finalize or an
    // expiry of the same (transfer, role) in this process: those wait for the preparation to be
    // stored rather than ending it half-way (a deadline already past when the prepare arrives
    // would otherwise let the sweep expire the row while the plugin is still writing secrets).
    return this.finalizer.exclusive(req, () => this.claimAndPrepare(req, requestHash, checked));
  }

  private async claimAndPrepare(req: PrepareRequest, requestHash: string, checked: Checked): Promise<PrepareResponse> {
    const { policy, choice, plugin, path } = checked;
    const row: NewTransfer = {
      transferId: req.transferId, role: req.role, mechanism: choice.mechanism, identity: req.identity, drive: req.drive, path,
      options: req.options ?? {}, peer: req.peer, tunnel: req.tunnel ?? null, userPublicKey: req.userPublicKey, requestHash,
      triggerDeadline: new Date(req.triggerDeadline),
    };
    let record = await this.repo.insertPreparing(row);
    if (!record) {
      const stored = await this.existingAnswer(req, requestHash);
      if (stored) return stored;
      // a row left 'preparing' by a crash or a concurrent call is redone: plugins' prepare is idempotent
      record = await this.repo.restartPreparing(row);
      if (!record) return this.storedAnswer(req);
    }
    const handle = this.runtime.attach(record);

    let prep: Preparation;
    try {
      prep = req.role === 'source' ? await plugin.prepareSource(handle) : await plugin.prepareDestination(handle, req.peerPublicParams ?? {});
    } catch (e) {
      await this.repo.deletePreparing(req);
      this.runtime.release(req);
      if (e instanceof DomainError && (REFUSAL_CODES as string[]).includes(e.code)) return refuse(e.code as Refusal['code'], e.message);
      throw e;
    }

    const triggerToken = randomToken();
    const sealedParams: SealedParams = { triggerToken, forPeer: prep.forPeer ?? {}, info: { agreement: policy.agreement } };
    const sealed = seal(sealedParams, req.userPublicKey, { transferId: req.transferId, role: req.role, purpose: 'params' });
    const signed: OfferSigned = {
      transferId: req.transferId, role: req.role, providerId: this.config.id, mechanism: choice.mechanism,
      publicParams: prep.publicParams ?? {}, sealed, userPublicKey: req.userPublicKey,
    };
    const response: PrepareResponse = {
      accepted: true,
      mechanism: choice.mechanism,
      publicParams: signed.publicParams,
      sealed,
      signature: signObject(signed, this.keys.sign.secretKey),
      needsPeer: req.role === 'source',
      operations: plugin.operations(),
    };
    const done = await this.repo.completePreparation(req, { triggerTokenHash: sha256Hex(triggerToken), response, state: prep.state ?? {} });
    if (!done) return this.storedAnswer(req);
    handle.adoptState(done.pluginState);
    return response;
  }

  /** Policy, mechanism and path: what this gateway will do, or why it refuses. Reads nothing from the database. */
  private async check(req: PrepareRequest): Promise<Checked | Refusal> {
    const policy = this.policy.decide(req.role, req.peer.providerId);
    if (!policy.allowed) return refuse('REJECTED_BY_POLICY', policy.reason);

    const drive = req.tunnel ? null : this.config.drives.find((d) => d.id === req.drive);
    if (!req.tunnel && !drive) return refuse('NOT_FOUND', `drive '${req.drive}' is not configured at ${this.config.id}`);
    // a drive served by a plugin (e.g. a Globus collection) can only move data with that plugin
    const usable = drive?.plugin ? this.plugins.ids().filter((m) => m === drive.plugin) : this.plugins.ids();
    const choice = chooseMechanism(req, this.config.id, usable);
    if ('reason' in choice) return refuse('NO_COMMON_MECHANISM', choice.reason);
    const plugin = this.plugins.get(choice.mechanism)!;

    let path = req.path;
    if (drive) {
      try {
        const confined = await confinePath(drive, req.path);
        path = confined.relative;
        if (drive.local && confined.kind === null) return refuse('NOT_FOUND', `'${path || '/'}' does not exist on drive '${drive.id}'`);
        if (drive.local && req.role === 'destination' && confined.kind !== 'dir') {
          return refuse('BAD_PATH', `the destination '${path || '/'}' on drive '${drive.id}' is not a folder`);
        }
      } catch (e) {
        if (e instanceof DomainError && e.code === 'BAD_PATH') return refuse('BAD_PATH', e.message);
        throw e;
      }
    }
    return { policy, choice, plugin, path };
  }

  /**
   * What an earlier prepare of this (transfer, role) settles: its stored answer, or ALREADY_EXISTS
   * when it was made with other parameters; null when there is none yet (or it is still preparing).
   */
  private async existingAnswer(req: PrepareRequest, requestHash: string): Promise<PrepareResponse | null> {
    const existing = await this.repo.find(req);
    if (existing && existing.requestHash !== requestHash) {
      throw new DomainError('ALREADY_EXISTS', `transfer ${req.transferId} was prepared here as ${req.role} with other parameters`);
    }
    return existing?.prepareResponse ?? null;
  }

  /** Someone else finished this preparation first: theirs is the answer. */
  private async storedAnswer(req: PrepareRequest): Promise<PrepareResponse> {
    const rec: TransferRecord | null = await this.repo.find(req);
    if (rec?.prepareResponse) return rec.prepareResponse;
    throw new DomainError('INVALID_STATE', `transfer ${req.transferId} is being prepared by another request; retry`);
  }
}
