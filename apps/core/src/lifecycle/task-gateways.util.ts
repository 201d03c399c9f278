import type { GatewayRole, TaskEntity, TransferEntity } from '../persistence/entities';

/** Which provider plays `role` in the transfer. */
export function providerFor(x: TransferEntity | TaskEntity, role: GatewayRole): string {
  return role === 'source' ? x.sourceProviderId : x.destinationProviderId;
}

/** The roles whose gateways prepared (and so hold state to finalize), destination first. */
export function offeredRoles(x: TransferEntity): GatewayRole[] {
  const roles = new Set(x.offers.map((o) => o.role));
  return (['destination', 'source'] as const).filter((r) => roles.has(r));
}

/** Destination first, then source: the grant is revoked before the source lets go. */
export function inCleanupOrder(roles: readonly GatewayRole[]): GatewayRole[] {
  return (['destination', 'source'] as const).filter((r) => roles.includes(r));
}
