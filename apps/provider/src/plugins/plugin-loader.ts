import * as path from 'node:path';
import type { PluginDefinition } from '@ferry/plugin-sdk';

/**
 * Loads a plugin package by npm name (resolved from the gateway, then from the config's folder)
 * or by path (./, ../ or /, relative to the config's folder). Returns its definition, or a
 * sentence saying what is wrong and what to do about it.
 */
export function loadPluginDefinition(
  spec: string,
  baseDir: string,
): { definition: PluginDefinition<unknown> } | { problem: string } {
  let mod: unknown;
  try {
    mod = requirePlugin(spec, baseDir);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND' && mentionsSpec(err.message, spec)) {
      return isPathSpec(spec)
        ? { problem: `cannot load '${spec}': no plugin package at ${path.resolve(baseDir, spec)}` }
        : { problem: `cannot load '${spec}': install it with npm install ${spec}` };
    }
    return { problem: `cannot load '${spec}': ${err.message.split('\n')[0]}` };
  }
  const definition = pickDefinition(mod);
  if (!definition) {
    return {
      problem: `'${spec}' does not export a ferry plugin (expected a default or 'plugin' export made with definePlugin({ id, optionsSchema, create }))`,
    };
  }
  return { definition };
}

const isPathSpec = (spec: string) => spec.startsWith('./') || spec.startsWith('../') || path.isAbsolute(spec);

function requirePlugin(spec: string, baseDir: string): unknown {
  if (isPathSpec(spec)) return require(path.resolve(baseDir, spec));
  try {
    return require(spec);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== 'MODULE_NOT_FOUND' || !mentionsSpec(err.message, spec)) throw e;
    // an operator may install plugins next to the config file instead of next to the gateway
    return require(require.resolve(spec, { paths: [baseDir] }));
  }
}

// MODULE_NOT_FOUND is also what a plugin gets when one of *its* dependencies is missing;
// only the plugin itself missing deserves the "install it" advice.
const mentionsSpec = (message: string, spec: string) => message.includes(`'${spec}'`) || message.includes(`"${spec}"`);

function pickDefinition(mod: unknown): PluginDefinition<unknown> | null {
  const m = mod as Record<string, unknown> | undefined;
  for (const candidate of [m?.default, m?.plugin, m]) {
    const d = candidate as Partial<PluginDefinition<unknown>> | undefined;
    if (d && typeof d.id === 'string' && typeof d.create === 'function' && typeof d.optionsSchema?.parse === 'function') {
      return d as PluginDefinition<unknown>;
    }
  }
  return null;
}
