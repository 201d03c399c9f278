import type { PrepareRequest } from '@ferry/contracts';

export type MechanismChoice = { mechanism: string } | { reason: string };

const list = (xs: string[]) => `[${xs.join(', ')}]`;

/**
 * Source: the first of our mechanisms (config order = preference) the peer also offers, or the one
 * the researcher asked for if both sites have it. Destination: the mechanism the source chose,
 * if we have it. `ours` is already narrowed to what the drive can use.
 */
export function chooseMechanism(req: PrepareRequest, selfId: string, ours: string[]): MechanismChoice {
  const theirs = req.peer.mechanisms ?? [];
  const peerId = req.peer.providerId;
  if (req.role === 'destination') {
    if (!req.mechanism) return { reason: `the source's mechanism was not given to ${selfId}` };
    if (!ours.includes(req.mechanism)) {
      return { reason: `${selfId} does not offer '${req.mechanism}' (it offers ${list(ours)})` };
    }
    return { mechanism: req.mechanism };
  }
  const asked = req.options?.mechanism;
  if (asked) {
    if (ours.includes(asked) && theirs.includes(asked)) return { mechanism: asked };
    return {
      reason: `'${asked}' is not offered by both sites: ${selfId} offers ${list(ours)}, ${peerId} offers ${list(theirs)}`,
    };
  }
  const common = ours.find((m) => theirs.includes(m));
  if (common) return { mechanism: common };
  return { reason: `no mechanism in common: ${selfId} offers ${list(ours)}, ${peerId} offers ${list(theirs)}` };
}
