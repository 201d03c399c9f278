import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileManifest, TransferOptions } from '@ferry/contracts';
import type { FinalizeOutcome, FinalizeResult, MechanismPlugin, PluginDefinition, Preparation } from '../plugin.contract';
import { isPausable } from '../plugin.contract';
import { createTestContext, type TestContextParts } from './test-context';
import { TestTransferHandle } from './test-transfer.handle';

export type Role = 'source' | 'destination';

/**
 * How a pair is laid out, for plugins that act as a real local account (OpenSSH-based ones write
 * through sshd as the mapped account): transfers carry that account as their identity, the pair's
 * folder is traversable (0755) and destination folders belong to the account. `baseDir` replaces
 * os.tmpdir() as the parent (sshd's StrictModes and a 0700 temp folder both get in the way there).
 */
export interface PairSetup {
  baseDir?: string;
  account?: { name: string; uid: number; gid: number };
  /**
   * Drive attributes for each side's drive (default {}), for plugins whose drives are bound to
   * something beyond a folder, e.g. a Globus collection id registered for that drive root.
   */
  driveAttributes?: (role: Role, driveRoot: string) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

/** One simulated gateway: its context, its plugin instance and its drive folder. */
export class TestGateway<O = unknown> {
  plugin!: MechanismPlugin;
  parts!: TestContextParts<O>;
  /** the drive's root folder (drive id 'drive') */
  readonly driveRoot: string;
  readonly stateDir: string;

  constructor(
    readonly role: Role,
    private readonly definition: PluginDefinition<O>,
    private readonly rawOptions: unknown,
    readonly root: string,
  ) {
    this.driveRoot = path.join(root, 'drive');
    this.stateDir = path.join(root, 'state');
  }

  async start(): Promise<void> {
    await fs.mkdir(this.driveRoot, { recursive: true });
    const options = this.definition.optionsSchema.parse(this.rawOptions);
    this.parts = await createTestContext({
      options,
      stateDir: this.stateDir,
      providerId: this.role === 'source' ? 'provider-a' : 'provider-b',
      transfers: this.parts?.transfers,
      clock: this.parts?.clock,
    });
    this.plugin = this.definition.create(this.parts.ctx);
    if (this.plugin.id !== this.definition.id) throw new Error(`plugin id ${this.plugin.id} differs from definition id ${this.definition.id}`);
    await this.plugin.start?.();
  }

  async stop(): Promise<void> {
    await this.plugin?.stop?.();
  }

  /**
   * What a gateway restart looks like to a plugin: every running transfer's signal aborts, stop(),
   * a new instance over the same state folder, start(), and handles rebuilt from persisted state.
   */
  async restart(handles: TestTransferHandle[]): Promise<TestTransferHandle[]> {
    for (const h of handles) h.abort();
    await this.stop();
    await this.start();
    const reopened = handles.map((h) => h.reopen());
    for (const h of reopened) this.parts.transfers.add(h);
    return reopened;
  }
}

/** Two gateways (source and destination) with the plugin under test, in temporary folders. */
export class PluginPair<O = unknown> {
  readonly source: TestGateway<O>;
  readonly destination: TestGateway<O>;

  private constructor(
    readonly root: string,
    definition: PluginDefinition<O>,
    options: (role: Role) => unknown,
    readonly setup: PairSetup = {},
  ) {
    this.source = new TestGateway('source', definition, options('source'), path.join(root, 'source'));
    this.destination = new TestGateway('destination', definition, options('destination'), path.join(root, 'destination'));
  }

  static async start<O>(definition: PluginDefinition<O>, options: (role: Role) => unknown = () => ({}), setup: PairSetup = {}): Promise<PluginPair<O>> {
    const root = await fs.mkdtemp(path.join(setup.baseDir ?? os.tmpdir(), `ferry-${definition.id}-`));
    if (setup.account) await fs.chmod(root, 0o755);
    const pair = new PluginPair(root, definition, options, setup);
    await pair.source.start();
    await pair.destination.start();
    return pair;
  }

  async stop(removeFolders = true): Promise<void> {
    await this.source.stop();
    await this.destination.stop();
    if (removeFolders) await fs.rm(this.root, { recursive: true, force: true });
  }

  /**
   * A new transfer of `sourcePath` (relative to the source drive, '' = the root) into
   * `destinationPath` (relative to the destination drive; created empty unless it exists).
   */
  async transfer(args: {
    sourcePath: string;
    destinationPath?: string;
    options?: TransferOptions;
    createDestination?: boolean;
  }): Promise<TestTransfer> {
    const id = randomUUID();
    const destinationPath = args.destinationPath ?? `inbox-${id.slice(0, 8)}`;
    const dstLocal = path.join(this.destination.driveRoot, destinationPath);
    if (args.createDestination !== false) await fs.mkdir(dstLocal, { recursive: true });
    const account = this.setup.account;
    if (account && args.createDestination !== false) await fs.chown(dstLocal, account.uid, account.gid);
    const identity = account ? { name: account.name, account: account.name, attributes: {} } : undefined;
    const common = { id, options: args.options ?? {}, identity };
    const source = new TestTransferHandle({
      ...common,
      role: 'source',
      drive: { id: 'drive', root: this.source.driveRoot, attributes: (await this.setup.driveAttributes?.('source', this.source.driveRoot)) ?? {} },
      path: args.sourcePath,
      localPath: path.join(this.source.driveRoot, args.sourcePath),
    });
    const destination = new TestTransferHandle({
      ...common,
      role: 'destination',
      drive: { id: 'drive', root: this.destination.driveRoot, attributes: (await this.setup.driveAttributes?.('destination', this.destination.driveRoot)) ?? {} },
      path: destinationPath,
      localPath: dstLocal,
    });
    return new TestTransfer(this, source, destination);
  }
}

/**
 * One transfer driven the way the gateways and the core drive it: prepare source, prepare
 * destination with the source's public parameters, forward each side's forPeer to the other,
 * trigger destination then source, finalize destination (with the manifest) then source.
 */
export class TestTransfer {
  sourcePrep?: Preparation;
  destinationPrep?: Preparation;
  finalized: Partial<Record<Role, FinalizeResult>> = {};

  constructor(
    readonly pair: PluginPair<unknown> | PluginPair<never> | PluginPair<any>,
    public source: TestTransferHandle,
    public destination: TestTransferHandle,
  ) {}

  get id(): string {
    return this.source.id;
  }
  get sourcePlugin(): MechanismPlugin {
    return this.pair.source.plugin;
  }
  get destinationPlugin(): MechanismPlugin {
    return this.pair.destination.plugin;
  }

  async prepare(): Promise<void> {
    this.pair.source.parts.transfers.add(this.source);
    this.sourcePrep = await this.sourcePlugin.prepareSource(this.source);
    this.source.mergeState(this.sourcePrep.state, 'Preparation.state');
    this.pair.destination.parts.transfers.add(this.destination);
    this.destinationPrep = await this.destinationPlugin.prepareDestination(this.destination, this.sourcePrep.publicParams);
    this.destination.mergeState(this.destinationPrep.state, 'Preparation.state');
  }

  async triggerDestination(peer?: Record<string, unknown>): Promise<void> {
    await this.destinationPlugin.trigger(this.destination, peer ?? this.sourcePrep!.forPeer);
  }

  async triggerSource(peer?: Record<string, unknown>): Promise<void> {
    await this.sourcePlugin.trigger(this.source, peer ?? this.destinationPrep!.forPeer);
  }

  /** prepare, trigger both, wait for the source to end */
  async run(timeoutMs = 120_000): Promise<void> {
    await this.prepare();
    await this.triggerDestination();
    await this.triggerSource();
    await this.waitForEnd(timeoutMs);
  }

  waitForEnd(timeoutMs = 120_000): Promise<void> {
    return this.source.record.waitFor(() => this.source.record.ended, `transfer ${this.id} to end`, timeoutMs);
  }

  /** resolves at the first report that shows bytes moved but not all of them */
  waitForMidTransfer(timeoutMs = 120_000): Promise<void> {
    const r = this.source.record;
    return r.waitFor(
      () => r.ended || r.reports.some((p) => p.bytesDone > 0 && p.bytesTotal !== null && p.bytesDone < p.bytesTotal),
      'progress in the middle of the transfer',
      timeoutMs,
    );
  }

  get manifest(): FileManifest | undefined {
    return this.source.record.completions[0];
  }

  async pause(): Promise<void> {
    const p = this.sourcePlugin;
    if (!isPausable(p)) throw new Error(`${p.id} does not declare pause`);
    await p.pause(this.source);
  }

  async resume(): Promise<void> {
    const p = this.sourcePlugin;
    if (!isPausable(p)) throw new Error(`${p.id} does not declare resume`);
    await p.resume(this.source);
  }

  /** the core's cancel: both gateways, the source first; each gateway aborts the handle's signal */
  async cancel(): Promise<void> {
    this.source.abort();
    await this.sourcePlugin.cancel(this.source);
    this.destination.abort();
    await this.destinationPlugin.cancel(this.destination);
  }

  /** the core's finalize: destination (verifies the manifest) then source; both leave the directory */
  async finalize(outcome: FinalizeOutcome): Promise<Partial<Record<Role, FinalizeResult>>> {
    this.finalized.destination = await this.destinationPlugin.finalize(
      this.destination,
      outcome,
      outcome === 'succeeded' ? this.manifest : undefined,
    );
    this.pair.destination.parts.transfers.end(this.id);
    this.finalized.source = await this.sourcePlugin.finalize(this.source, outcome);
    this.pair.source.parts.transfers.end(this.id);
    return this.finalized;
  }

  /** the source gateway restarts: handles rebuilt from state, then recover() */
  async restartSourceAndRecover(): Promise<void> {
    [this.source] = await this.pair.source.restart([this.source]);
    await this.sourcePlugin.recover(this.source);
  }
}
