import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, type FileEntry } from '@ferry/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config';
import { confinePath } from '../../plugins/path-confinement.util';
import { PluginHost } from '../../plugins/plugin-host.service';
import { BrowseDriveQuery } from './browse-drive.query';

/**
 * Lists one folder of a drive for the core's file browser: local drives directly (confined like
 * every plugin path), drives served by a plugin through its Browsable ability.
 */
@QueryHandler(BrowseDriveQuery)
export class BrowseDriveHandler implements IQueryHandler<BrowseDriveQuery, FileEntry[]> {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly plugins: PluginHost,
  ) {}

  async execute({ request }: BrowseDriveQuery): Promise<FileEntry[]> {
    const identity = this.config.identities.find((i) => i.name === request.identity);
    if (!identity) throw new DomainError('NO_IDENTITY_MAPPING', `identity '${request.identity}' is not configured at ${this.config.id}`);
    const drive = this.config.drives.find((d) => d.id === request.drive);
    if (!drive) throw new DomainError('NOT_FOUND', `drive '${request.drive}' is not configured at ${this.config.id}`);
    const served = drive.plugin ? this.plugins.get(drive.plugin) : undefined;
    if (served?.canBrowse()) return sortEntries(await served.browse(drive, identity, request.path));
    if (!drive.local) throw new DomainError('INVALID_STATE', `drive '${drive.id}' cannot be browsed here`);

    const confined = await confinePath(drive, request.path);
    if (confined.kind === null) throw new DomainError('NOT_FOUND', `'${confined.relative || '/'}' does not exist on drive '${drive.id}'`);
    if (confined.kind !== 'dir') throw new DomainError('BAD_PATH', `'${confined.relative}' on drive '${drive.id}' is not a folder`);
    const names = await fs.readdir(confined.localPath);
    const entries = await Promise.all(names.map((name) => describe(path.join(confined.localPath, name), name)));
    return sortEntries(entries.filter((e): e is FileEntry => e !== null));
  }
}

/** lstat: a symlink is shown as a symlink, never followed out of the drive. */
async function describe(file: string, name: string): Promise<FileEntry | null> {
  try {
    const st = await fs.lstat(file);
    const type = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    return { name, type, size: type === 'file' ? st.size : 0, modified: st.mtime.toISOString() };
  } catch {
    return null; // removed while listing
  }
}

function sortEntries(entries: FileEntry[]): FileEntry[] {
  return entries.sort((a, b) => (a.type === 'dir') !== (b.type === 'dir') ? (a.type === 'dir' ? -1 : 1) : a.name.localeCompare(b.name));
}
