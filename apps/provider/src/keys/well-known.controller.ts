import { Controller, Get, Inject } from '@nestjs/common';
import { WELL_KNOWN_PROVIDER_PATH, type ProviderDescriptor } from '@ferry/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { GATEWAY_KEYS, type GatewayKeys } from './gateway-keys';

/** Public, unsigned: who this gateway is, its public keys and its mechanisms in order of preference. */
@Controller()
export class WellKnownController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(GATEWAY_KEYS) private readonly keys: GatewayKeys,
  ) {}

  @Get(WELL_KNOWN_PROVIDER_PATH.slice(1))
  descriptor(): ProviderDescriptor {
    return {
      id: this.config.id,
      name: this.config.name,
      boxPublicKey: this.keys.box.publicKey,
      signPublicKey: this.keys.sign.publicKey,
      mechanisms: this.config.plugins.map((p) => p.id),
      protocol: 1,
    };
  }
}
