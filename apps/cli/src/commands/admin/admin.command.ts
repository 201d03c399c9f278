import { Command } from 'commander';
import type { CliContext } from '../../cli.context';
import { adminAclCommand } from './admin-acl.command';
import { adminAuditCommand } from './admin-audit.command';
import { adminDrivesCommand } from './admin-drives.command';
import { adminMappingsCommand } from './admin-mappings.command';
import { adminProjectsCommand } from './admin-projects.command';
import { adminProvidersCommand } from './admin-providers.command';
import { adminTokensCommand } from './admin-tokens.command';
import { adminUsersCommand } from './admin-users.command';

/**
 * `ferry admin ...`: the core's admin API for operators (the token must belong to an admin user),
 * so no one edits the database by hand. Every subcommand takes --json.
 */
export function adminCommand(ctx: CliContext): Command {
  const admin = new Command('admin')
    .summary('operators: users, tokens, projects, drives, ACLs, mappings, providers, audit log')
    .description('Administer the core (needs an admin token). Every change is recorded in the audit log.');
  for (const c of [adminUsersCommand, adminTokensCommand, adminProjectsCommand, adminDrivesCommand, adminAclCommand, adminMappingsCommand, adminProvidersCommand]) {
    admin.addCommand(c(ctx));
  }
  admin.addCommand(adminAuditCommand(ctx));
  return admin;
}
