import { Command } from 'commander';
import type { CliContext } from '../../cli.context';
import { adminClient, printDone, printRows } from './admin-output.util';

type Json = { json?: boolean };

export function adminProjectsCommand(ctx: CliContext): Command {
  const projects = new Command('projects').description('Projects (groups whose members share drive permissions)');

  projects
    .command('list')
    .description('Projects and their members')
    .option('--json', 'print JSON')
    .action(async (o: Json) => {
      const list = await (await adminClient(ctx)).projects();
      printRows(ctx, o.json, list, ['PROJECT', 'MEMBERS'], (p) => [p.name, p.members.join(', ') || '-'], 'no projects');
    });

  projects
    .command('create')
    .description('Create a project')
    .argument('<name>', 'project name')
    .option('--json', 'print JSON')
    .action(async (name: string, o: Json) => {
      const p = await (await adminClient(ctx)).createProject(name);
      printDone(ctx, o.json, p, `created project ${p.name}`);
    });

  for (const [cmd, what] of [
    ['add-member', 'Add a user to a project'],
    ['remove-member', 'Remove a user from a project'],
  ] as const) {
    projects
      .command(cmd)
      .description(what)
      .argument('<project>', 'project name')
      .argument('<user>', 'user name')
      .option('--json', 'print JSON')
      .action(async (project: string, user: string, o: Json) => {
        const c = await adminClient(ctx);
        const p = cmd === 'add-member' ? await c.addMember(project, user) : await c.removeMember(project, user);
        printDone(ctx, o.json, p, `${p.name}: ${p.members.join(', ') || 'no members'}`);
      });
  }
  return projects;
}
