import { Query } from '@nestjs/cqrs';
import type { ReadinessView } from '@ferry/contracts';

/** Is this core able to serve: database answers, every registered gateway's descriptor is reachable. */
export class CheckReadinessQuery extends Query<ReadinessView> {}
