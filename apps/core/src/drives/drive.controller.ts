import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { DriveView, FileListing } from '@ferry/contracts';
import { AuthUser, CurrentUser } from '../auth/auth.decorators';
import { BrowseDriveQuery } from './queries/browse-drive.query';
import { ListDrivesQuery } from './queries/list-drives.query';

@ApiTags('drives')
@ApiBearerAuth()
@Controller('api/drives')
export class DriveController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'Drives the caller can read or write, with her permissions' })
  list(@CurrentUser() user: AuthUser): Promise<DriveView[]> {
    return this.queries.execute(new ListDrivesQuery(user));
  }

  @Get(':id/files')
  @ApiQuery({ name: 'path', required: false, description: "relative to the drive root ('' = root)" })
  @ApiOperation({ summary: 'List a folder (READ required), through the drive’s gateway' })
  files(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query('path') path?: unknown): Promise<FileListing> {
    return this.queries.execute(new BrowseDriveQuery(user, id, path));
  }
}
