import { Query } from '@nestjs/cqrs';
import type { ReadinessView } from '@ferry/contracts';

/** Can this gateway serve the core's calls: its database answers (the core's reachability is informative). */
export class CheckReadinessQuery extends Query<ReadinessView> {}
