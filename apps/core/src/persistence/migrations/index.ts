import { InitialSchema1767000000000 } from './1767000000000-initial-schema.migration';
import { Operations1767100000000 } from './1767100000000-operations.migration';
import { StaleTasks1767300000000 } from './1767300000000-stale-tasks.migration';
import { Tunnels1767200000000 } from './1767200000000-tunnels.migration';

/** Every migration, in order. Listed explicitly (no glob) so the same list works from src/ and dist/. */
export const CORE_MIGRATIONS = [InitialSchema1767000000000, Operations1767100000000, Tunnels1767200000000, StaleTasks1767300000000];
