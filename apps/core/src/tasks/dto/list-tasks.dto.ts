import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { TaskPageQueryDto } from '../../common/page-query.dto';

/** GET /api/tasks query: the paged task filter, narrowed by kind if asked. */
export class ListTasksDto extends TaskPageQueryDto {
  @ApiPropertyOptional({ enum: ['transfer', 'tunnel'] })
  @IsOptional()
  @IsIn(['transfer', 'tunnel'])
  kind?: 'transfer' | 'tunnel';
}
