import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/auth.decorators';

@ApiTags('me')
@ApiBearerAuth()
@Controller('api/me')
export class MeController {
  @Get()
  @ApiOperation({ summary: 'Who the token belongs to' })
  me(@CurrentUser() user: AuthUser): { name: string; admin: boolean } {
    return { name: user.name, admin: user.admin };
  }
}
