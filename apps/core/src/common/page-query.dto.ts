import { ApiPropertyOptional } from '@nestjs/swagger';
import { TASK_STATES } from '@ferry/contracts';
import { Transform } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/**
 * The query every paged list of tasks takes (GET /api/tasks, GET /api/tunnels): a state filter that
 * may repeat (?state=A&state=B) or be a comma list (?state=A,B), a page size and the cursor of the
 * previous page. Lists with more filters extend it.
 */
export class TaskPageQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATES, isArray: true, description: 'repeatable or comma-separated' })
  @IsOptional()
  @Transform(({ value }) => (Array.isArray(value) ? value : [value]).flatMap((v: unknown) => String(v).split(',')).filter(Boolean))
  @IsArray()
  @IsIn(TASK_STATES, { each: true })
  state?: string[];

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
