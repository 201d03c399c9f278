import type { BenchEnv } from './bench-env';
import type { ScenarioResult } from './measure';

export interface BenchContext {
  quick: boolean;
  /** counted rounds per scenario (each tool once per round) */
  rounds: number;
  /** the shared environment, started on first use */
  env(): Promise<BenchEnv>;
  log(line: string): void;
  /** figures one scenario leaves for another (the 1 GiB run's gateway RSS for the memory scenario) */
  shared: Record<string, unknown>;
}

export interface Scenario {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<ScenarioResult>;
}
