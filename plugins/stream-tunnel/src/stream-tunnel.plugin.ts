import * as path from 'node:path';
import {
  Abilities,
  AccessPointDirectory,
  AccessPointInfo,
  FinalizeOutcome,
  FinalizeResult,
  MechanismError,
  MechanismPlugin,
  PluginContext,
  Preparation,
  TransferHandle,
} from '@ferry/plugin-sdk';
import type { TunnelSpec } from '@ferry/contracts';
import { DataPortServer } from './data-port.server';
import { InitiatorTunnel, PortRangeExhaustedError } from './initiator-tunnel';
import { LegDialer } from './leg-dialer';
import { ListenerPeer, parseListenerPeer } from './leg-protocol';
import { ListenerTunnel } from './listener-tunnel';
import { AccessPointOptions, StreamTunnelOptions } from './options.schema';
import { parsePortRange } from './port-range.util';
import { HostPort, parseHostPort, targetAllowed } from './target-pattern.util';
import { loadOrCreateTlsIdentity } from './tls-cert.util';
import { TunnelFiguresReporter } from './tunnel-figures';
import { decodeTunnelSecret, deriveLanSecret } from './tunnel-secret.util';
import { TunnelState, readTunnelState } from './tunnel-state';

interface Runtime {
  role: 'source' | 'destination';
  figures: TunnelFiguresReporter;
  initiator?: InitiatorTunnel;
  timer: NodeJS.Timeout | null;
}

/** Node timers hold at most ~24.8 days; longer lifetimes re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const EMPTY_MANIFEST = { verify: 'size' as const, files: [] };

/**
 * Stream tunnels. Role 'source' is the initiator (A: a listening port for local applications),
 * role 'destination' the listener (B: the TLS data port, connects to the allowed target).
 * See docs/tunnels.md for the operator's and the researcher's view and the security model.
 */
export class StreamTunnelPlugin implements MechanismPlugin, AccessPointDirectory {
  readonly id = 'stream-tunnel';
  readonly abilities: Abilities = { pause: false, resume: false, cancel: true, checksum: false, browse: false };

  private readonly options: StreamTunnelOptions;
  private dataPort: DataPortServer | null = null;
  private readonly runtimes = new Map<string, Runtime>();

  constructor(private readonly ctx: PluginContext<StreamTunnelOptions>) {
    this.options = ctx.options;
  }

  async start(): Promise<void> {
    const dp = this.options.dataPort;
    if (!dp) return;
    const identity = loadOrCreateTlsIdentity(path.join(this.ctx.gateway.dataDir, 'tls'), `ferry tunnel data port ${this.ctx.gateway.providerId}`);
    const server = new DataPortServer(identity, this.options.handshakeTimeoutSeconds * 1000, this.ctx.logger);
    await server.start(dp.host, dp.port);
    this.dataPort = server;
    this.ctx.logger.info('tunnel data port listening', { host: dp.host, port: server.listeningPort, fingerprint: identity.fingerprint });
  }

  async stop(): Promise<void> {
    // persisted state and secrets stay: recover() picks the tunnels up after the restart
    await Promise.all([...this.runtimes.keys()].map((id) => this.closeRuntime(id, null)));
    await this.dataPort?.stop();
    this.dataPort = null;
  }

  /**
   * Discovery: an access point can start tunnels when it has a port range, and end them when this
   * gateway has a data port and the access point allows at least one target.
   */
  accessPoints(): AccessPointInfo[] {
    return this.options.accessPoints.map((ap) => ({
      id: ap.id,
      initiator: ap.portRange ? { bindHost: ap.bindHost, portRange: ap.portRange, lanSecret: ap.lanSecret } : null,
      listener: this.options.dataPort && ap.targets.length > 0 ? { targets: [...ap.targets] } : null,
    }));
  }

  async prepareSource(t: TransferHandle): Promise<Preparation> {
    const spec = requireSpec(t);
    const ap = this.accessPoint(spec.accessPoint);
    if (!ap.portRange) throw new MechanismError('REJECTED', `access point '${ap.id}' has no port range, so tunnels cannot start there (it is a listener-only access point)`);
    return { publicParams: { accessPoint: ap.id }, forPeer: {}, state: { accessPoint: ap.id, lifetimeMinutes: spec.lifetimeMinutes } };
  }

  // the initiator's public parameters name only its access point: nothing to check against here
  async prepareDestination(t: TransferHandle, _sourcePublicParams: Record<string, unknown>): Promise<Preparation> {
    const spec = requireSpec(t);
    const ap = this.accessPoint(spec.accessPoint);
    const target = this.allowedTarget(ap, spec.target);
    const dp = this.dataPort;
    if (!dp || !this.options.dataPort) throw new MechanismError('REJECTED', 'this gateway has no tunnel data port configured, so it cannot be a tunnel listener');
    return {
      publicParams: { accessPoint: ap.id },
      forPeer: {
        dataHost: this.options.dataPort.advertiseHost ?? this.options.dataPort.host,
        dataPort: dp.listeningPort,
        certFingerprint: dp.fingerprint,
        tunnelId: t.id,
      },
      state: { accessPoint: ap.id, target: `${spec.target}`, targetHost: target.host, targetPort: target.port, lifetimeMinutes: spec.lifetimeMinutes },
    };
  }

  async trigger(t: TransferHandle, peer: Record<string, unknown>, user?: Record<string, unknown>): Promise<void> {
    if (this.runtimes.has(t.id)) return; // the same trigger again
    const secret = decodeTunnelSecret(user?.tunnelSecret);
    if (!secret) throw new MechanismError('REJECTED', 'the trigger must carry user.tunnelSecret: 32 or more random bytes, base64');
    const spec = requireSpec(t);
    const expiresAt = new Date(this.ctx.clock.now().getTime() + spec.lifetimeMinutes * 60_000).toISOString();
    if (t.role === 'destination') {
      await this.ctx.secrets.put(secretName(t.id), secret.toString('base64'));
      await t.saveState({ expiresAt });
      this.openListener(t, secret);
      return;
    }
    const listener = parseListenerPeer(peer);
    if (!listener) throw new MechanismError('REJECTED', "the trigger's peer parameters are not a stream-tunnel listener's (dataHost, dataPort, certFingerprint, tunnelId)");
    const lanSecret = this.lanSecretFor(t, secret, user);
    await this.ctx.secrets.put(secretName(t.id), secret.toString('base64'));
    if (lanSecret) await this.ctx.secrets.put(lanSecretName(t.id), lanSecret);
    await t.saveState({ expiresAt, peer: { ...listener } });
    const port = await this.openInitiator(t, listener, secret, lanSecret, null);
    await t.saveState({ listenPort: port });
  }

  async cancel(t: TransferHandle): Promise<void> {
    await this.closeRuntime(t.id, 'cancelled');
    await this.forgetSecrets(t.id);
  }

  async finalize(t: TransferHandle, outcome: FinalizeOutcome): Promise<FinalizeResult> {
    await this.closeRuntime(t.id, `finalized (${outcome})`);
    await this.forgetSecrets(t.id);
    return { ok: true };
  }

  async recover(t: TransferHandle): Promise<void> {
    if (this.runtimes.has(t.id)) return;
    const st = readTunnelState(t.state);
    if (!st.expiresAt) return; // prepared, never triggered: nothing runs
    if (new Date(st.expiresAt).getTime() <= this.ctx.clock.now().getTime()) return this.lifetimeEnded(t);
    const stored = await this.ctx.secrets.get(secretName(t.id));
    const secret = stored ? Buffer.from(stored, 'base64') : null;
    if (!secret) return t.fail('INVALID_STATE', 'the tunnel secret is gone after the restart; open a new tunnel');
    if (t.role === 'destination') {
      this.openListener(t, secret);
      return;
    }
    if (!st.peer || !st.listenPort) return t.fail('INVALID_STATE', 'the tunnel was not listening before the restart; open a new tunnel');
    const lanSecret = (await this.ctx.secrets.get(lanSecretName(t.id))) ?? null;
    try {
      await this.openInitiator(t, st.peer, secret, lanSecret, st.listenPort);
    } catch (e) {
      t.fail('INVALID_STATE', (e as Error).message);
    }
  }

  // --- internals ---

  private accessPoint(id: string): AccessPointOptions {
    const ap = this.options.accessPoints.find((a) => a.id === id);
    if (!ap) {
      const known = this.options.accessPoints.map((a) => a.id).join(', ') || 'none';
      throw new MechanismError('REJECTED', `access point '${id}' does not exist at this site (known: ${known})`);
    }
    return ap;
  }

  private allowedTarget(ap: AccessPointOptions, target: string): HostPort {
    let hp: HostPort;
    try {
      hp = parseHostPort(target);
    } catch (e) {
      throw new MechanismError('REJECTED', `tunnel target: ${(e as Error).message}`);
    }
    if (!targetAllowed(hp, ap.targets)) {
      const allowed = ap.targets.length ? ap.targets.join(', ') : 'none';
      throw new MechanismError('REJECTED', `target ${target} is not allowed at access point '${ap.id}' (allowed: ${allowed})`);
    }
    return hp;
  }

  private lanSecretFor(t: TransferHandle, secret: Buffer, user?: Record<string, unknown>): string | null {
    const ap = this.accessPoint(requireSpec(t).accessPoint);
    if (!ap.lanSecret) return null;
    const chosen = user?.lanSecret;
    if (chosen === undefined) return deriveLanSecret(secret, t.id);
    if (typeof chosen !== 'string' || chosen.length < 16 || /[\r\n]/.test(chosen)) {
      throw new MechanismError('REJECTED', 'user.lanSecret must be one line of at least 16 characters');
    }
    return chosen;
  }

  private openListener(t: TransferHandle, secret: Buffer) {
    const dp = this.dataPort;
    if (!dp) throw new MechanismError('INVALID_STATE', 'this gateway has no tunnel data port configured');
    const st = readTunnelState(t.state);
    if (!st.targetHost || !st.targetPort) throw new MechanismError('INVALID_STATE', 'the tunnel has no target in its prepared state');
    const figures = new TunnelFiguresReporter(t);
    const tunnel = new ListenerTunnel(
      {
        id: t.id,
        secret,
        target: { host: st.targetHost, port: st.targetPort },
        maxConnections: this.options.maxConnectionsPerTunnel,
        idleTimeoutMs: this.options.idleTimeoutSeconds * 1000,
      },
      figures,
      this.ctx.logger,
    );
    dp.register(tunnel);
    this.runtimes.set(t.id, { role: 'destination', figures, timer: null });
    figures.event('listening', `accepting connections for ${st.target ?? `${st.targetHost}:${st.targetPort}`} until ${st.expiresAt}`);
    this.armLifetime(t);
  }

  private async openInitiator(t: TransferHandle, peer: ListenerPeer, secret: Buffer, lanSecret: string | null, port: number | null): Promise<number> {
    const ap = this.accessPoint(requireSpec(t).accessPoint);
    const figures = new TunnelFiguresReporter(t);
    const tunnel = new InitiatorTunnel(
      {
        id: t.id,
        bindHost: ap.bindHost,
        maxConnections: this.options.maxConnectionsPerTunnel,
        idleTimeoutMs: this.options.idleTimeoutSeconds * 1000,
        handshakeTimeoutMs: this.options.handshakeTimeoutSeconds * 1000,
        lanSecret,
      },
      new LegDialer(peer, secret, this.options.handshakeTimeoutSeconds * 1000),
      figures,
      this.ctx.logger,
    );
    let listenPort: number;
    const rangeText = ap.portRange ?? '';
    try {
      listenPort = port === null ? await tunnel.listenInRange(parsePortRange(rangeText), rangeText, this.portsInUse()) : await tunnel.listenOnPort(port);
    } catch (e) {
      await tunnel.close();
      if (e instanceof PortRangeExhaustedError) throw new MechanismError('REJECTED', e.message, 'retry', { portRange: ap.portRange });
      throw new MechanismError('INVALID_STATE', `cannot listen on ${ap.bindHost}:${port ?? ap.portRange}: ${(e as Error).message}`);
    }
    this.runtimes.set(t.id, { role: 'source', figures, initiator: tunnel, timer: null });
    this.armLifetime(t);
    return listenPort;
  }

  private portsInUse(): Set<number> {
    const ports = new Set<number>();
    for (const r of this.runtimes.values()) if (r.initiator) ports.add(r.initiator.listenPort);
    return ports;
  }

  private armLifetime(t: TransferHandle) {
    const rt = this.runtimes.get(t.id);
    const expiresAt = readTunnelState(t.state).expiresAt;
    if (!rt || !expiresAt) return;
    const left = new Date(expiresAt).getTime() - this.ctx.clock.now().getTime();
    if (left <= 0) {
      void this.lifetimeEnded(t);
      return;
    }
    rt.timer = setTimeout(() => this.armLifetime(t), Math.min(left, MAX_TIMER_MS));
    rt.timer.unref();
  }

  private async lifetimeEnded(t: TransferHandle) {
    const wasRunning = this.runtimes.has(t.id);
    await this.closeRuntime(t.id, 'lifetime ended');
    await this.forgetSecrets(t.id);
    if (!wasRunning) t.reportTunnel?.({ listenAddress: null, connectionsOpen: 0, connectionsTotal: 0, bytesAtoB: 0, bytesBtoA: 0 }, { type: 'stopped', message: 'lifetime ended' });
    // the initiator's completion is what closes the task (CLOSED) at the core
    if (t.role === 'source') t.complete(EMPTY_MANIFEST);
  }

  /** reason null = the gateway is stopping: close quietly, the tunnel resumes after the restart. */
  private async closeRuntime(id: string, reason: string | null) {
    const rt = this.runtimes.get(id);
    if (!rt) return;
    this.runtimes.delete(id);
    if (rt.timer) clearTimeout(rt.timer);
    if (rt.role === 'destination') this.dataPort?.unregister(id);
    await rt.initiator?.close();
    rt.figures.setListenAddress(null);
    rt.figures.close(reason === null ? undefined : { type: 'stopped', message: reason });
  }

  private async forgetSecrets(id: string) {
    await this.ctx.secrets.delete(secretName(id));
    await this.ctx.secrets.delete(lanSecretName(id));
  }
}

function requireSpec(t: TransferHandle): TunnelSpec {
  const spec = t.tunnel;
  if (!spec) throw new MechanismError('REJECTED', 'stream-tunnel needs a tunnel spec (access point, target, lifetime); it does not move files');
  if (!(spec.lifetimeMinutes > 0)) throw new MechanismError('REJECTED', 'tunnel lifetimeMinutes must be positive');
  return spec;
}

const secretName = (id: string) => `tunnel-${id}`;
const lanSecretName = (id: string) => `tunnel-${id}-lan`;

export type { TunnelState };
