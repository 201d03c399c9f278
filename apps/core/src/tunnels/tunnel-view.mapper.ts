import type { TunnelEvent, TunnelView } from '@ferry/contracts';
import type { TaskEntity, TaskEventEntity, TransferEntity } from '../persistence/entities';
import { toTaskView } from '../tasks/task-view.mapper';

/** The mechanism every tunnel is negotiated with (the core knows it by name only). */
export const TUNNEL_MECHANISM = 'stream-tunnel';

export function toTunnelEvent(e: TaskEventEntity): TunnelEvent {
  return { at: e.at.toISOString(), side: e.side, type: e.type, message: e.message };
}

/** A tunnel: the negotiated part (transfers row with its `tunnel` record) and its task; events when given. */
export function toTunnelView(x: TransferEntity, t: TaskEntity, events?: TaskEventEntity[]): TunnelView {
  const spec = x.tunnel!;
  const task = toTaskView(t);
  return {
    id: x.id,
    state: t.state,
    initiator: spec.initiator,
    listener: spec.listener,
    target: spec.target,
    lifetimeMinutes: spec.lifetimeMinutes,
    label: t.label,
    listenAddress: t.tunnel?.listenAddress ?? null,
    mechanism: x.mechanism,
    userPublicKey: x.userPublicKey,
    offers: x.offers,
    triggerDeadline: x.triggerDeadline.toISOString(),
    rejection: x.rejection,
    task: events ? { ...task, events: events.map(toTunnelEvent) } : task,
    ...(events ? { events: events.map(toTunnelEvent) } : {}),
  };
}
