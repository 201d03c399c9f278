import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyTreeKeepingTimes, countTree, expectDelivered, warm, writeRandomTree } from '../bench-data.util';
import type { BenchEnv } from '../bench-env';
import { ratioTarget, ratiosOf, runRounds, target, type Contender } from '../measure';
import { ferryCpu, referenceCpu, rsyncSsh, scp, type CipherName } from '../reference-tools';
import type { BenchContext, Scenario } from '../scenario';

const TREE = 'tree';

/** The small-file tree (10,000 × 4 KiB in 100 folders; quick: 500 in 5), made once per run. */
function ensureTree(ctx: BenchContext, env: BenchEnv): { src: string; files: number; bytes: number } {
  const files = ctx.quick ? 500 : 10_000;
  const folders = ctx.quick ? 5 : 100;
  const src = path.join(env.aData, TREE);
  if (!fs.existsSync(src)) writeRandomTree(src, files, folders, 4096);
  const c = countTree(src);
  if (c.files !== files) throw new Error(`the tree at ${src} has ${c.files} files, expected ${files}`);
  return { src, ...c };
}

interface TreeRun {
  dst: string;
}

/** Contenders copying the tree into a fresh destination folder each run. */
function copyContenders(env: BenchEnv, tree: { src: string; files: number; bytes: number }, tag: string, ferryMechanism: 'sftp' | 'rsync', refs: Array<{ name: string; run: (dst: string) => Promise<void> }>): Contender[] {
  const state: TreeRun = { dst: '' };
  const prepare = async (who: string) => {
    state.dst = env.freshDestination(`${tag}-${who}`);
    warm(tree.src);
  };
  const cleanup = (who: string) => async () => {
    expectDelivered(path.join(state.dst, TREE), tree, who);
    fs.rmSync(state.dst, { recursive: true, force: true });
  };
  const ferry: Contender = {
    name: `ferry ${ferryMechanism}`,
    ferry: true,
    prepare: () => prepare('ferry'),
    run: async () => (await env.transfer(TREE, state.dst, { mechanism: ferryMechanism })).seconds,
    cleanup: cleanup('ferry'),
    ...ferryCpu(env),
  };
  return [
    ferry,
    ...refs.map(
      (r): Contender => ({
        name: r.name,
        ferry: false,
        prepare: () => prepare(r.name.split(' ')[0]),
        run: () => r.run(state.dst),
        cleanup: cleanup(r.name),
        ...referenceCpu(env),
      }),
    ),
  ];
}

const rsyncRef = (env: BenchEnv, src: string, cipher: CipherName) => ({ name: `rsync -a (${cipher})`, run: (dst: string) => rsyncSsh(env, cipher, src, dst) });
const scpRef = (env: BenchEnv, src: string, cipher: CipherName) => ({ name: `scp -r (${cipher})`, run: (dst: string) => scp(env, cipher, src, dst) });

export const sftpTreeScenario: Scenario = {
  id: 'sftp-tree',
  title: '10,000 files of 4 KiB in 100 folders, sftp mechanism',
  async run(ctx) {
    const env = await ctx.env();
    const tree = ensureTree(ctx, env);
    const contenders = copyContenders(env, tree, 'sftp-tree', 'sftp', [
      rsyncRef(env, tree.src, 'chacha20'),
      rsyncRef(env, tree.src, 'aes128-gcm'),
      scpRef(env, tree.src, 'chacha20'),
      scpRef(env, tree.src, 'aes128-gcm'),
    ]);
    const results = await runRounds(contenders, { rounds: ctx.rounds, value: (s) => tree.files / s, log: ctx.log });
    return {
      id: this.id,
      title: ctx.quick ? `${tree.files} files of 4 KiB, sftp mechanism (quick)` : this.title,
      unit: 'files/s',
      higherIsBetter: true,
      contenders: results,
      ratios: ratiosOf(results),
      targets: [ratioTarget(results, 'rsync', '>=', 1.0, true), ratioTarget(results, 'scp', '>=', 5.0, true)],
      notes: ['Each run writes into a new folder on tmpfs (no tool meets a folder where a tree was just deleted).'],
      details: { files: tree.files, bytes: tree.bytes },
    };
  },
};

export const rsyncTreeScenario: Scenario = {
  id: 'rsync-tree',
  title: 'same tree, rsync mechanism',
  async run(ctx) {
    const env = await ctx.env();
    const tree = ensureTree(ctx, env);
    // ferry's rsync runs ssh with OpenSSH's default cipher, so the reference does too
    const contenders = copyContenders(env, tree, 'rsync-tree', 'rsync', [rsyncRef(env, tree.src, 'chacha20')]);
    const results = await runRounds(contenders, { rounds: ctx.rounds, value: (s) => tree.files / s, log: ctx.log });
    return {
      id: this.id,
      title: ctx.quick ? `${tree.files} files, rsync mechanism (quick)` : this.title,
      unit: 'files/s',
      higherIsBetter: true,
      contenders: results,
      ratios: ratiosOf(results),
      targets: [ratioTarget(results, 'rsync', '>=', 0.95, true)],
      notes: ['ferry: rsync + ssh started by gateway A, rrsync behind the sshd fixture at B; includes negotiation-free trigger -> SUCCEEDED (manifest, finalize).'],
      details: { files: tree.files, bytes: tree.bytes },
    };
  },
};

export const resyncScenario: Scenario = {
  id: 'resync',
  title: 're-sync of an unchanged tree',
  async run(ctx) {
    const env = await ctx.env();
    const tree = ensureTree(ctx, env);
    let dst = '';
    const prepare = async () => {
      dst = env.freshDestination('resync');
      copyTreeKeepingTimes(tree.src, path.join(dst, TREE), env.sshd.uid, env.sshd.gid);
      warm(tree.src);
    };
    const cleanup = (who: string) => async () => {
      expectDelivered(path.join(dst, TREE), tree, who);
      fs.rmSync(dst, { recursive: true, force: true });
    };
    const ferry = (mechanism: 'sftp' | 'rsync'): Contender => ({
      name: `ferry ${mechanism}`,
      ferry: true,
      prepare,
      run: async () => (await env.transfer(TREE, dst, { mechanism })).seconds,
      cleanup: cleanup(`ferry ${mechanism}`),
      ...ferryCpu(env),
    });
    const ref: Contender = {
      name: 'rsync -a (chacha20)',
      ferry: false,
      prepare,
      run: () => rsyncSsh(env, 'chacha20', tree.src, dst),
      cleanup: cleanup('rsync'),
      ...referenceCpu(env),
    };
    const results = await runRounds([ferry('sftp'), ferry('rsync'), ref], { rounds: ctx.rounds, value: (s) => s, log: ctx.log });
    const refResult = results.find((c) => !c.ferry);
    const r = refResult?.value.median ?? NaN;
    return {
      id: this.id,
      title: ctx.quick ? `re-sync of an unchanged ${tree.files}-file tree (quick)` : this.title,
      unit: 's',
      higherIsBetter: false,
      contenders: results,
      ratios: ratiosOf(results),
      targets: results
        .filter((c) => c.ferry)
        .map((c) => target(`${c.name} time ÷ rsync's`, '<=', 1.2, c.value.median / r, { reference: refResult?.name, ferry: c.value.median, referenceValue: r })),
      notes: ['The destination already holds the tree with the same sizes and times (copied before each run, untimed); nothing needs sending.'],
      details: { files: tree.files },
    };
  },
};
