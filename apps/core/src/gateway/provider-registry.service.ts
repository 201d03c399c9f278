import { Injectable, Logger } from '@nestjs/common';
import { DomainError, PeerDescriptor } from '@ferry/contracts';
import { z } from 'zod';
import { ProviderEntity } from '../persistence/entities';
import { ProviderRepository } from '../persistence/repositories';
import { GatewayClient } from './gateway.client';
import { isBase64Key } from './key-format.util';

/** A provider with known keys: everything needed to call it, verify it and describe it to a peer. */
export interface ResolvedProvider {
  id: string;
  name: string;
  url: string;
  signPublicKey: string;
  boxPublicKey: string;
  mechanisms: string[];
}

/** The keys and mechanisms a gateway publishes at /.well-known/ferry-provider. */
export interface PublishedDescriptor {
  signPublicKey: string;
  boxPublicKey: string;
  mechanisms: string[];
}

/** How long a fetched descriptor is trusted before the registry asks the gateway again. */
const DESCRIPTOR_TTL_MS = 5 * 60_000;

const descriptorSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  signPublicKey: z.string().refine((k) => isBase64Key(k, 32), 'signPublicKey must be 32 bytes of base64'),
  boxPublicKey: z.string().refine((k) => isBase64Key(k, 32), 'boxPublicKey must be 32 bytes of base64'),
  mechanisms: z.array(z.string()),
});

/**
 * Knows every provider gateway and its keys. Keys pinned in the seed are authoritative; others are
 * fetched from the gateway's /.well-known/ferry-provider on first need and cached in the database
 * (and refreshed after DESCRIPTOR_TTL_MS; if the gateway is down then, the cached keys still serve).
 */
@Injectable()
export class ProviderRegistry {
  private readonly logger = new Logger(ProviderRegistry.name);

  constructor(
    private readonly providers: ProviderRepository,
    private readonly client: GatewayClient,
  ) {}

  /** The provider with its keys; NOT_FOUND for an unknown id, PROVIDER_UNAVAILABLE if its keys cannot be learned. */
  async resolve(id: string): Promise<ResolvedProvider> {
    let p = await this.providers.find(id);
    if (!p) throw new DomainError('NOT_FOUND', `unknown provider ${id}`);
    const fresh = p.fetchedAt && Date.now() - p.fetchedAt.getTime() < DESCRIPTOR_TTL_MS;
    if (!fresh) {
      try {
        p = await this.refresh(p);
      } catch (e) {
        if (!p.signPublicKey || !p.boxPublicKey || !p.fetchedAt) throw e;
        this.logger.warn(`provider ${id}: descriptor refresh failed, using cached keys (${(e as Error).message})`);
      }
    }
    return toResolved(p);
  }

  /** The key to verify a gateway's signed call with; null for an unknown provider or unknown key. */
  async signKeyFor(id: string): Promise<string | null> {
    const p = await this.providers.find(id);
    if (!p) return null;
    if (p.signPublicKey) return p.signPublicKey;
    try {
      return (await this.resolve(id)).signPublicKey;
    } catch {
      return null;
    }
  }

  /** What the other gateway is told about this one in a prepare call. */
  static peerDescriptor(p: ResolvedProvider): PeerDescriptor {
    return { providerId: p.id, name: p.name, signPublicKey: p.signPublicKey, boxPublicKey: p.boxPublicKey, mechanisms: p.mechanisms };
  }

  /**
   * What the gateway at `p.url` publishes right now, checked (key formats, and that it names itself
   * `p.id`); nothing is saved. PROVIDER_UNAVAILABLE / PROVIDER_ERROR otherwise.
   */
  async fetchDescriptor(p: { id: string; url: string }): Promise<PublishedDescriptor> {
    const raw = await this.client.descriptor({ id: p.id, url: p.url });
    const parsed = descriptorSchema.safeParse(raw);
    if (!parsed.success) {
      throw new DomainError('PROVIDER_UNAVAILABLE', `provider ${p.id} published an invalid descriptor: ${parsed.error.issues[0]?.message}`);
    }
    const d = parsed.data;
    if (d.id !== p.id) {
      throw new DomainError('PROVIDER_ERROR', `the gateway at ${p.url} says it is ${d.id}, not ${p.id}`);
    }
    return { signPublicKey: d.signPublicKey, boxPublicKey: d.boxPublicKey, mechanisms: d.mechanisms };
  }

  private async refresh(p: ProviderEntity): Promise<ProviderEntity> {
    const d = await this.fetchDescriptor(p);
    if (p.keysPinned && (d.signPublicKey !== p.signPublicKey || d.boxPublicKey !== p.boxPublicKey)) {
      // the pinned keys stay in force; the gateway's signatures will not verify until someone looks
      this.logger.warn(`provider ${p.id}: published keys differ from the pinned ones; keeping the pinned keys`);
    }
    return (await this.providers.saveDescriptor(p.id, d)) ?? p;
  }
}

function toResolved(p: ProviderEntity): ResolvedProvider {
  if (!p.signPublicKey || !p.boxPublicKey) {
    throw new DomainError('PROVIDER_UNAVAILABLE', `keys of provider ${p.id} are not known yet`);
  }
  return { id: p.id, name: p.name, url: p.url, signPublicKey: p.signPublicKey, boxPublicKey: p.boxPublicKey, mechanisms: p.mechanisms };
}
