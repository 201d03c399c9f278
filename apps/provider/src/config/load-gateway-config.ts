import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ZodIssue } from 'zod';
import { decodeSignPublicKey } from '@ferry/crypto';
import { gatewayConfigSchema, type ParsedGatewayConfig, type RawGatewayConfig } from './gateway-config.schema';
import { GatewayConfigError, type DriveConfig, type GatewayConfig, type LoadedPlugin } from './gateway-config';
import { loadPluginDefinition } from '../plugins/plugin-loader';

/**
 * Reads, validates and resolves the gateway configuration in one pass, collecting every problem
 * (schema, folders, core key, plugin packages and their options) into one GatewayConfigError so
 * an operator fixes them all at once instead of one per restart.
 *
 * `input` is a path to the JSON file, or the config object itself (relative paths then resolve
 * against `baseDir`, default the current directory).
 */
export function loadGatewayConfig(input: string | RawGatewayConfig, baseDir?: string): GatewayConfig {
  const source = typeof input === 'string' ? path.resolve(input) : '<object>';
  const dir = typeof input === 'string' ? path.dirname(source) : path.resolve(baseDir ?? '.');
  const raw = typeof input === 'string' ? readJson(source) : input;

  const parsed = gatewayConfigSchema.safeParse(raw);
  if (!parsed.success) {
    // still check the parts that are well-formed, so the operator sees every problem at once
    throw new GatewayConfigError(source, [...parsed.error.issues.map((i) => formatIssue(i)), ...checkWellFormedParts(raw, dir)]);
  }
  const cfg = parsed.data;
  const problems: string[] = [];
  const abs = (p: string) => path.resolve(dir, p);

  const plugins = loadPlugins(cfg, dir, problems);
  const drives = resolveDrives(cfg, abs, new Set(plugins.map((p) => p.id)), problems);
  const signPublicKey = resolveCoreKey(cfg, abs, problems);
  checkUnique(cfg.identities.map((i) => i.name), 'identities', 'name', problems);
  if (problems.length > 0) throw new GatewayConfigError(source, problems);

  return {
    ...cfg,
    source,
    core: { url: cfg.core.url, signPublicKey },
    stateDir: abs(cfg.stateDir),
    drives,
    identities: cfg.identities.map((i) => ({ name: i.name, account: i.account ?? i.name, attributes: i.attributes })),
    plugins,
  };
}

/** Folder and package checks on a config that failed the schema, for the entries that have the right shape. */
function checkWellFormedParts(raw: unknown, dir: string): string[] {
  const problems: string[] = [];
  const r = (raw ?? {}) as { drives?: unknown; plugins?: unknown };
  if (Array.isArray(r.plugins)) {
    r.plugins.forEach((p: { package?: unknown }, i) => {
      if (typeof p?.package !== 'string' || p.package === '') return;
      const loaded = loadPluginDefinition(p.package, dir);
      if ('problem' in loaded) problems.push(`plugins[${i}].package: ${loaded.problem}`);
    });
  }
  if (Array.isArray(r.drives)) {
    r.drives.forEach((d: { path?: unknown }, i) => {
      if (typeof d?.path !== 'string' || d.path === '') return;
      const folder = path.resolve(dir, d.path);
      if (!fs.existsSync(folder)) problems.push(`drives[${i}].path: folder '${folder}' does not exist`);
      else if (!fs.statSync(folder).isDirectory()) problems.push(`drives[${i}].path: '${folder}' is not a folder`);
    });
  }
  return problems;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new GatewayConfigError(file, [`cannot read the config file: ${(e as Error).message}`]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new GatewayConfigError(file, [`the config file is not valid JSON: ${(e as Error).message}`]);
  }
}

/** 'plugins[0].options.port: Expected number, received string' */
export function formatIssue(issue: ZodIssue, prefix: Array<string | number> = []): string {
  const at = [...prefix, ...issue.path]
    .map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`))
    .join('');
  return `${at || '(top level)'}: ${issue.message}`;
}

function loadPlugins(cfg: ParsedGatewayConfig, dir: string, problems: string[]): LoadedPlugin[] {
  const out: LoadedPlugin[] = [];
  cfg.plugins.forEach((entry, i) => {
    const loaded = loadPluginDefinition(entry.package, dir);
    if ('problem' in loaded) return void problems.push(`plugins[${i}].package: ${loaded.problem}`);
    const def = loaded.definition;
    const dup = out.findIndex((p) => p.id === def.id);
    if (dup >= 0) return void problems.push(`plugins[${i}].package: mechanism '${def.id}' is already provided by ${out[dup].packageName}`);
    try {
      out.push({ id: def.id, packageName: entry.package, definition: def, options: def.optionsSchema.parse(entry.options) });
    } catch (e) {
      const issues = (e as { issues?: ZodIssue[] }).issues;
      if (Array.isArray(issues) && issues.length > 0) problems.push(...issues.map((iss) => formatIssue(iss, ['plugins', i, 'options'])));
      else problems.push(`plugins[${i}].options: ${(e as Error).message}`);
    }
  });
  return out;
}

function resolveDrives(
  cfg: ParsedGatewayConfig,
  abs: (p: string) => string,
  pluginIds: Set<string>,
  problems: string[],
): DriveConfig[] {
  checkUnique(cfg.drives.map((d) => d.id), 'drives', 'id', problems);
  return cfg.drives.map((d, i) => {
    let root = '';
    if (d.path !== undefined) {
      const folder = abs(d.path);
      try {
        if (!fs.statSync(folder).isDirectory()) problems.push(`drives[${i}].path: '${folder}' is not a folder`);
        // the real path: confinement compares real paths, so a symlinked drive root still works
        else root = fs.realpathSync(folder);
      } catch {
        problems.push(`drives[${i}].path: folder '${folder}' does not exist`);
      }
    }
    if (d.plugin !== undefined && !pluginIds.has(d.plugin)) {
      problems.push(`drives[${i}].plugin: no configured plugin provides mechanism '${d.plugin}'`);
    }
    return { id: d.id, root, local: d.path !== undefined, plugin: d.plugin ?? null, attributes: d.attributes };
  });
}

function resolveCoreKey(cfg: ParsedGatewayConfig, abs: (p: string) => string, problems: string[]): string {
  let key: unknown = cfg.core.signPublicKey;
  let where = 'core.signPublicKey';
  if (cfg.core.signPublicKeyFile !== undefined) {
    where = 'core.signPublicKeyFile';
    const file = abs(cfg.core.signPublicKeyFile);
    try {
      key = (JSON.parse(fs.readFileSync(file, 'utf8')) as { publicKey?: unknown }).publicKey;
    } catch (e) {
      problems.push(`${where}: cannot read the core's key file '${file}': ${(e as Error).message}`);
      return '';
    }
  }
  try {
    decodeSignPublicKey(key, 'the core signing public key');
    return key as string;
  } catch (e) {
    problems.push(`${where}: ${(e as Error).message}`);
    return '';
  }
}

function checkUnique(values: string[], list: string, field: string, problems: string[]) {
  values.forEach((v, i) => {
    if (values.indexOf(v) !== i) problems.push(`${list}[${i}].${field}: '${v}' is used twice`);
  });
}
