import { Body, Controller, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AdminUserView } from '@ferry/contracts';
import { AuthUser, CurrentUser } from '../../auth/auth.decorators';
import { AdminGuard } from '../admin.guard';
import { parseInput } from '../admin-input.util';
import { CreateUserCommand } from './commands/create-user.command';
import { UpdateUserCommand } from './commands/update-user.command';
import { createUserSchema, updateUserSchema } from './dto/user-input.schema';
import { ListUsersQuery } from './queries/list-users.query';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/admin/users')
export class AdminUsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every user, with flags and the number of live tokens' })
  list(): Promise<AdminUserView[]> {
    return this.queries.execute(new ListUsersQuery());
  }

  @Post()
  @ApiOperation({ summary: 'Create a user {name, admin?}' })
  create(@CurrentUser() actor: AuthUser, @Body() body: unknown): Promise<AdminUserView> {
    return this.commands.execute(new CreateUserCommand(actor, parseInput(createUserSchema, body, 'body')));
  }

  @Patch(':name')
  @ApiOperation({ summary: 'Set {admin?, disabled?} of a user' })
  update(@CurrentUser() actor: AuthUser, @Param('name') name: string, @Body() body: unknown): Promise<AdminUserView> {
    return this.commands.execute(new UpdateUserCommand(actor, name, parseInput(updateUserSchema, body, 'body')));
  }
}
