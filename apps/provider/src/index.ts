export { createGatewayApp, type GatewayApp, type CreateGatewayOptions } from './create-gateway-app';
export { loadGatewayConfig } from './config/load-gateway-config';
export { gatewayConfigSchema, type RawGatewayConfig } from './config/gateway-config.schema';
export { GatewayConfigError, type GatewayConfig } from './config/gateway-config';
export { applyGatewayV8Flags, GATEWAY_V8_FLAGS } from './gateway-v8-flags.util';
