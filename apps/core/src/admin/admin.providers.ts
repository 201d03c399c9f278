import { ChangeAclHandler } from './acl/commands/change-acl.handler';
import { AdminAclController } from './acl/admin-acl.controller';
import { ListAclHandler } from './acl/queries/list-acl.handler';
import { AdminAuditController } from './audit/admin-audit.controller';
import { ListAuditHandler } from './audit/queries/list-audit.handler';
import { AdminGuard } from './admin.guard';
import { AdminDrivesController } from './drives/admin-drives.controller';
import { CreateDriveHandler } from './drives/commands/create-drive.handler';
import { DeleteDriveHandler } from './drives/commands/delete-drive.handler';
import { UpdateDriveHandler } from './drives/commands/update-drive.handler';
import { ListAdminDrivesHandler } from './drives/queries/list-admin-drives.handler';
import { AdminMappingsController } from './mappings/admin-mappings.controller';
import { RemoveMappingHandler } from './mappings/commands/remove-mapping.handler';
import { SetMappingHandler } from './mappings/commands/set-mapping.handler';
import { ListMappingsHandler } from './mappings/queries/list-mappings.handler';
import { AdminProjectsController } from './projects/admin-projects.controller';
import { ChangeProjectMemberHandler } from './projects/commands/change-project-member.handler';
import { CreateProjectHandler } from './projects/commands/create-project.handler';
import { ListProjectsHandler } from './projects/queries/list-projects.handler';
import { AdminProvidersController } from './providers/admin-providers.controller';
import { ChangeProviderKeysHandler } from './providers/commands/change-provider-keys.handler';
import { RefreshProviderKeysHandler } from './providers/commands/refresh-provider-keys.handler';
import { RegisterProviderHandler } from './providers/commands/register-provider.handler';
import { UpdateProviderHandler } from './providers/commands/update-provider.handler';
import { ListAdminProvidersHandler } from './providers/queries/list-admin-providers.handler';
import { AdminTokensController } from './tokens/admin-tokens.controller';
import { CreateTokenHandler } from './tokens/commands/create-token.handler';
import { RevokeTokenHandler } from './tokens/commands/revoke-token.handler';
import { ListTokensHandler } from './tokens/queries/list-tokens.handler';
import { AdminUsersController } from './users/admin-users.controller';
import { CreateUserHandler } from './users/commands/create-user.handler';
import { UpdateUserHandler } from './users/commands/update-user.handler';
import { ListUsersHandler } from './users/queries/list-users.handler';

/** The admin API (/api/admin): one controller per feature, spread into CoreModule. */
export const ADMIN_CONTROLLERS = [
  AdminUsersController,
  AdminTokensController,
  AdminProjectsController,
  AdminDrivesController,
  AdminAclController,
  AdminMappingsController,
  AdminProvidersController,
  AdminAuditController,
];

export const ADMIN_PROVIDERS = [
  AdminGuard,
  CreateUserHandler,
  UpdateUserHandler,
  ListUsersHandler,
  CreateTokenHandler,
  RevokeTokenHandler,
  ListTokensHandler,
  CreateProjectHandler,
  ChangeProjectMemberHandler,
  ListProjectsHandler,
  CreateDriveHandler,
  UpdateDriveHandler,
  DeleteDriveHandler,
  ListAdminDrivesHandler,
  ChangeAclHandler,
  ListAclHandler,
  SetMappingHandler,
  RemoveMappingHandler,
  ListMappingsHandler,
  RegisterProviderHandler,
  UpdateProviderHandler,
  ChangeProviderKeysHandler,
  RefreshProviderKeysHandler,
  ListAdminProvidersHandler,
  ListAuditHandler,
];
