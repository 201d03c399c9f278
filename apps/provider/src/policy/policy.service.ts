import { Inject, Injectable } from '@nestjs/common';
import type { TransferRole } from '@ferry/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';

export type PolicyDecision = { allowed: true; agreement: string } | { allowed: false; reason: string };

/**
 * Whether a legal framework covers a transfer with a peer: the deny list first, then the rule for
 * that peer (or '*') in `outgoing` when this site sends (role source) or `incoming` when it
 * receives (role destination). No rule means no agreement, which means no transfer.
 */
@Injectable()
export class PolicyService {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  decide(role: TransferRole, peerId: string): PolicyDecision {
    const { policy, id } = this.config;
    if (policy.deny.includes(peerId) || policy.deny.includes('*')) {
      return { allowed: false, reason: `${id} does not exchange data with ${peerId} (deny list)` };
    }
    const rules = role === 'source' ? policy.outgoing : policy.incoming;
    const rule = rules.find((r) => r.peer === peerId) ?? rules.find((r) => r.peer === '*');
    if (!rule) {
      return {
        allowed: false,
        reason:
          role === 'source'
            ? `${id} has no agreement covering transfers to ${peerId}`
            : `${id} has no agreement covering transfers from ${peerId}`,
      };
    }
    return { allowed: true, agreement: rule.agreement };
  }

  /**
   * The peers this site exchanges with in one role, as the rules name them ('*' = any peer not on
   * the deny list); denied peers are left out, and a deny of '*' leaves nobody.
   */
  peers(role: TransferRole): string[] {
    const { policy } = this.config;
    if (policy.deny.includes('*')) return [];
    const rules = role === 'source' ? policy.outgoing : policy.incoming;
    return [...new Set(rules.map((r) => r.peer).filter((p) => !policy.deny.includes(p)))];
  }
}
