import * as path from 'node:path';

/** Where the demo keeps its files and which ports it uses; FERRY_DEMO_PORT_BASE moves all ports. */
export interface DemoSettings {
  /** .ferry/ in the current folder */
  ferryDir: string;
  /** .ferry/demo/: sites, core data, seed */
  demoDir: string;
  /** .ferry/demo.json: URLs and tokens for people and scripts */
  infoFile: string;
  ports: { core: number; gatewayA: number; gatewayB: number };
  /** A's tunnel access point takes listen ports from here: base+20 to base+29 */
  tunnelPortRange: string;
  repoRoot: string;
}

export function demoSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): DemoSettings {
  const raw = env.FERRY_DEMO_PORT_BASE ?? '8080';
  const base = Number(raw);
  if (!Number.isInteger(base) || base < 1024 || base > 65000) {
    throw new Error(`FERRY_DEMO_PORT_BASE must be a whole number between 1024 and 65000, got '${raw}'`);
  }
  const ferryDir = path.resolve(cwd, '.ferry');
  return {
    ferryDir,
    demoDir: path.join(ferryDir, 'demo'),
    infoFile: path.join(ferryDir, 'demo.json'),
    ports: { core: base, gatewayA: base + 1, gatewayB: base + 2 },
    tunnelPortRange: `${base + 20}-${base + 29}`,
    repoRoot: path.resolve(__dirname, '..', '..', '..'),
  };
}
