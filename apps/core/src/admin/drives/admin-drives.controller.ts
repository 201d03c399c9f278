import { Body, Controller, Delete, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AdminDriveView } from '@ferry/contracts';
import { AuthUser, CurrentUser } from '../../auth/auth.decorators';
import { AdminGuard } from '../admin.guard';
import { parseInput } from '../admin-input.util';
import { CreateDriveCommand } from './commands/create-drive.command';
import { DeleteDriveCommand } from './commands/delete-drive.command';
import { UpdateDriveCommand } from './commands/update-drive.command';
import { createDriveSchema, updateDriveSchema } from './dto/drive-input.schema';
import { ListAdminDrivesQuery } from './queries/list-admin-drives.query';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/admin/drives')
export class AdminDrivesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every drive with its ACL' })
  list(): Promise<AdminDriveView[]> {
    return this.queries.execute(new ListAdminDrivesQuery());
  }

  @Post()
  @ApiOperation({ summary: 'Create a drive {id, name, provider, gatewayDrive}' })
  create(@CurrentUser() actor: AuthUser, @Body() body: unknown): Promise<AdminDriveView> {
    return this.commands.execute(new CreateDriveCommand(actor, parseInput(createDriveSchema, body, 'body')));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change {name?, provider?, gatewayDrive?} of a drive' })
  update(@CurrentUser() actor: AuthUser, @Param('id') id: string, @Body() body: unknown): Promise<AdminDriveView> {
    return this.commands.execute(new UpdateDriveCommand(actor, id, parseInput(updateDriveSchema, body, 'body')));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a drive and its ACL' })
  remove(@CurrentUser() actor: AuthUser, @Param('id') id: string): Promise<AdminDriveView> {
    return this.commands.execute(new DeleteDriveCommand(actor, id));
  }
}
