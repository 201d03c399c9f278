import { Query } from '@nestjs/cqrs';
import type { AccessPointsResponse } from '@ferry/contracts';

/** GET /ferry/v1/access-points: what tunnels may use at this site. */
export class ListAccessPointsQuery extends Query<AccessPointsResponse> {}
