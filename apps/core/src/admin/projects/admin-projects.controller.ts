import { Body, Controller, Delete, Get, Param, Post, Put, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AdminProjectView } from '@ferry/contracts';
import { AuthUser, CurrentUser } from '../../auth/auth.decorators';
import { AdminGuard } from '../admin.guard';
import { parseInput } from '../admin-input.util';
import { ChangeProjectMemberCommand } from './commands/change-project-member.command';
import { CreateProjectCommand } from './commands/create-project.command';
import { createProjectSchema } from './dto/project-input.schema';
import { ListProjectsQuery } from './queries/list-projects.query';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/admin/projects')
export class AdminProjectsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Projects with their members' })
  list(): Promise<AdminProjectView[]> {
    return this.queries.execute(new ListProjectsQuery());
  }

  @Post()
  @ApiOperation({ summary: 'Create a project {name}' })
  create(@CurrentUser() actor: AuthUser, @Body() body: unknown): Promise<AdminProjectView> {
    return this.commands.execute(new CreateProjectCommand(actor, parseInput(createProjectSchema, body, 'body').name));
  }

  @Put(':name/members/:user')
  @ApiOperation({ summary: 'Add a member (no change when she is one already)' })
  addMember(@CurrentUser() actor: AuthUser, @Param('name') name: string, @Param('user') user: string): Promise<AdminProjectView> {
    return this.commands.execute(new ChangeProjectMemberCommand(actor, 'add', name, user));
  }

  @Delete(':name/members/:user')
  @ApiOperation({ summary: 'Remove a member' })
  removeMember(@CurrentUser() actor: AuthUser, @Param('name') name: string, @Param('user') user: string): Promise<AdminProjectView> {
    return this.commands.execute(new ChangeProjectMemberCommand(actor, 'remove', name, user));
  }
}
