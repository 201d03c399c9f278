import { TaskPageQueryDto } from '../../common/page-query.dto';

/** GET /api/tunnels query: like GET /api/tasks without `kind`. */
export class ListTunnelsDto extends TaskPageQueryDto {}
