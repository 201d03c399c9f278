import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Page, TaskOperation, TaskState, TaskView } from '@ferry/contracts';
import { AuthUser, CurrentUser } from '../auth/auth.decorators';
import { uuidPipe } from '../common/uuid.pipe';
import { ControlTaskCommand } from './commands/control-task.command';
import { ListTasksDto } from './dto/list-tasks.dto';
import { GetTaskQuery } from './queries/get-task.query';
import { ListTasksQuery } from './queries/list-tasks.query';

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('api/tasks')
export class TaskController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The caller’s tasks, newest first, keyset-paged' })
  list(@CurrentUser() user: AuthUser, @Query() q: ListTasksDto): Promise<Page<TaskView>> {
    return this.queries.execute(
      new ListTasksQuery(user, { states: q.state as TaskState[] | undefined, kind: q.kind, limit: q.limit, cursor: q.cursor }),
    );
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id', uuidPipe) id: string): Promise<TaskView> {
    return this.queries.execute(new GetTaskQuery(user, id));
  }

  @Post(':id/pause')
  @HttpCode(200)
  pause(@CurrentUser() user: AuthUser, @Param('id', uuidPipe) id: string): Promise<TaskView> {
    return this.control(user, id, 'pause');
  }

  @Post(':id/resume')
  @HttpCode(200)
  resume(@CurrentUser() user: AuthUser, @Param('id', uuidPipe) id: string): Promise<TaskView> {
    return this.control(user, id, 'resume');
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@CurrentUser() user: AuthUser, @Param('id', uuidPipe) id: string): Promise<TaskView> {
    return this.control(user, id, 'cancel');
  }

  private control(user: AuthUser, id: string, op: TaskOperation): Promise<TaskView> {
    return this.commands.execute(new ControlTaskCommand(user, id, op));
  }
}
