import { Injectable, Logger } from '@nestjs/common';
import { DomainError, Offer, OfferSigned, PrepareRequest, PrepareResponse, TransferRole, TunnelSpec } from '@ferry/contracts';
import { verifyObject } from '@ferry/crypto';
import { TaskEventsPublisher } from '../events/task-events.publisher';
import { GatewayClient } from '../gateway/gateway.client';
import { ProviderRegistry, ResolvedProvider } from '../gateway/provider-registry.service';
import type { GatewayRole, TaskEntity, TransferEntity } from '../persistence/entities';
import { TransferRepository } from '../persistence/repositories';
import { parsePrepareResponse } from './prepare-response.schema';

/** Where each side of the transfer lives at its gateway, as the authorization step found it. */
export interface NegotiationSides {
  source: { identity: string; gatewayDrive: string };
  destination: { identity: string; gatewayDrive: string };
}

/** Both gateways prepared: the task now AWAITING_TRIGGER and the transfer with its offers stored. */
export interface Negotiated {
  task: TaskEntity;
  transfer: TransferEntity;
}

/** A gateway refused; the task is REJECTED and the researcher gets this code and reason. */
export class NegotiationRejected {
  constructor(
    readonly task: TaskEntity,
    readonly providerId: string,
    readonly code: string,
    readonly reason: string,
  ) {}
}

/**
 * Steps 3-5 of the protocol: prepare at the source, then (when the source asks for it) at the
 * destination with the source's public parameters, then store the offers (ciphertext only) and wait
 * for the researcher's trigger. A rejection ends the task REJECTED; an unreachable or misbehaving
 * gateway ends it FAILED. Gateways that already prepared are queued for finalize 'failed'.
 */
@Injectable()
export class NegotiationService {
  private readonly logger = new Logger(NegotiationService.name);

  constructor(
    private readonly client: GatewayClient,
    private readonly registry: ProviderRegistry,
    private readonly transfers: TransferRepository,
    private readonly events: TaskEventsPublisher,
  ) {}

  /**
   * `resumed`: a negotiation another core process started and did not finish (it died). Either
   * gateway may have prepared already, so if this one ends badly both are told; one that never heard
   * of the transfer answers NOT_FOUND, which counts as told.
   */
  async negotiate(
    x: TransferEntity,
    sides: NegotiationSides,
    opts: { resumed?: boolean; providers?: Promise<[ResolvedProvider, ResolvedProvider]> } = {},
  ): Promise<Negotiated | NegotiationRejected> {
    const prepared: GatewayRole[] = opts.resumed ? ['source', 'destination'] : [];
    try {
      const [src, dst] = await (opts.providers ?? this.resolveProviders(x.sourceProviderId, x.destinationProviderId));
      const base = {
        transferId: x.id,
        userPublicKey: x.userPublicKey,
        options: x.options,
        triggerDeadline: x.triggerDeadline.toISOString(),
      };
      const s = await this.prepare(src, {
        ...base,
        role: 'source',
        identity: sides.source.identity,
        drive: sides.source.gatewayDrive,
        path: x.sourcePath,
        peer: ProviderRegistry.peerDescriptor(dst),
        ...tunnelSpec(x, 'source'),
      });
      if (!s.accepted) return this.reject(x, src.id, s.code, s.reason, prepared);
      if (!prepared.includes('source')) prepared.push('source');
      const offers = [this.offer(x, 'source', src, s)];
      if (s.needsPeer) {
        const d = await this.prepare(dst, {
          ...base,
          role: 'destination',
          identity: sides.destination.identity,
          drive: sides.destination.gatewayDrive,
          path: x.destinationPath,
          peer: ProviderRegistry.peerDescriptor(src),
          mechanism: s.mechanism,
          peerPublicParams: s.publicParams,
          ...tunnelSpec(x, 'destination'),
        });
        if (!d.accepted) return this.reject(x, dst.id, d.code, d.reason, prepared);
        if (!prepared.includes('destination')) prepared.push('destination');
        if (d.mechanism !== s.mechanism) {
          throw new DomainError('PROVIDER_ERROR', `provider ${dst.id} answered with mechanism ${d.mechanism}, the source chose ${s.mechanism}`);
        }
        offers.push(this.offer(x, 'destination', dst, d));
      }
      const task = await this.transfers.recordOffers(x.id, offers, s.mechanism, s.operations);
      if (!task) throw new DomainError('INVALID_STATE', `transfer ${x.id} stopped negotiating meanwhile`);
      this.events.changed(task);
      // what recordOffers wrote into the transfer row, without reading it back
      return { task, transfer: { ...x, offers, mechanism: s.mechanism } };
    } catch (e) {
      const err = e instanceof DomainError ? e : new DomainError('INTERNAL', 'negotiation failed unexpectedly');
      if (!(e instanceof DomainError)) this.logger.error(`negotiation of ${x.id}: ${(e as Error)?.stack ?? e}`);
      const task = await this.transfers.endNegotiation(x.id, 'FAILED', { code: err.code, message: err.message }, null, prepared);
      this.events.changed(task);
      throw err instanceof DomainError ? new DomainError(err.code, err.message, { ...err.details, transferId: x.id }) : err;
    }
  }

  /**
   * Both providers with their keys, looked up at once (two queries in parallel rather than one after
   * the other). A caller may start this before it records the transfer and hand the promise to
   * negotiate(). Errors come in the order of the sequential look-ups: the source's first.
   */
  async resolveProviders(sourceId: string, destinationId: string): Promise<[ResolvedProvider, ResolvedProvider]> {
    const [s, d] = await Promise.allSettled([this.registry.resolve(sourceId), this.registry.resolve(destinationId)]);
    if (s.status === 'rejected') throw s.reason;
    if (d.status === 'rejected') throw d.reason;
    return [s.value, d.value];
  }

  private async prepare(gw: ResolvedProvider, req: PrepareRequest): Promise<PrepareResponse> {
    return parsePrepareResponse(gw.id, await this.client.prepare(gw, req));
  }

  private async reject(x: TransferEntity, providerId: string, code: string, reason: string, prepared: GatewayRole[]) {
    this.logger.log(`transfer ${x.id} rejected by ${providerId}: ${code}`);
    const rejection = { providerId, code, reason };
    const task = await this.transfers.endNegotiation(x.id, 'REJECTED', { code, message: reason }, rejection, prepared);
    if (!task) throw new DomainError('INVALID_STATE', `transfer ${x.id} stopped negotiating meanwhile`);
    this.events.changed(task);
    return new NegotiationRejected(task, providerId, code, reason);
  }

  /** The offer relayed to the researcher; its signature is checked here too, so a key mismatch shows up early. */
  private offer(x: TransferEntity, role: TransferRole, gw: ResolvedProvider, r: Extract<PrepareResponse, { accepted: true }>): Offer {
    const signed: OfferSigned = {
      transferId: x.id,
      role,
      providerId: gw.id,
      mechanism: r.mechanism,
      publicParams: r.publicParams,
      sealed: r.sealed,
      userPublicKey: x.userPublicKey,
    };
    if (!verifyObject(signed, r.signature, gw.signPublicKey)) {
      throw new DomainError('PROVIDER_ERROR', `the ${role} offer of provider ${gw.id} is not signed by its registered key`);
    }
    return {
      role,
      providerId: gw.id,
      gateway: { boxPublicKey: gw.boxPublicKey, signPublicKey: gw.signPublicKey },
      mechanism: r.mechanism,
      publicParams: r.publicParams,
      sealed: r.sealed,
      signature: r.signature,
    };
  }
}

/** For a tunnel, each gateway's prepare names its own access point (the initiator is the source). */
function tunnelSpec(x: TransferEntity, role: TransferRole): { tunnel?: TunnelSpec } {
  if (!x.tunnel) return {};
  const end = role === 'source' ? x.tunnel.initiator : x.tunnel.listener;
  return { tunnel: { accessPoint: end.accessPoint, target: x.tunnel.target, lifetimeMinutes: x.tunnel.lifetimeMinutes } };
}
