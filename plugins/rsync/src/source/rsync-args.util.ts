import { sshClientArgs, sshTarget, type SshClientFiles } from '@ferry/openssh';
import type { DestinationPeer } from '../peer-params';
import { LIST_OUT_FORMAT } from './rsync-file-list.parser';

/**
 * The rsync command line of one run. rsync is spawned without a shell; it splits the -e string
 * itself (spaces separate, single or double quotes group, a doubled quote is a literal one), so
 * each ssh argument is quoted for *that* splitter.
 */
export interface RsyncRunArgs {
  /** absolute local path of what is sent; `contents` sends a folder's contents (drive root) */
  source: string;
  contents: boolean;
  peer: DestinationPeer;
  files: SshClientFiles;
  sshPath: string;
  checksum: boolean;
  ioTimeoutSeconds: number;
  bwlimitKiBps?: number;
  /** --dry-run --stats only: how much a resumed run still has to send */
  dryRun?: boolean;
}

export function rsyncEscape(arg: string): string {
  return `'${arg.replace(/'/g, "''")}'`;
}

export function buildRsyncArgs(a: RsyncRunArgs): string[] {
  const ssh = [a.sshPath, ...sshClientArgs({ identityFile: a.files.identityFile, knownHostsFile: a.files.knownHostsFile, port: a.peer.port })];
  const args = [
    '-a', // recursive, symlinks as symlinks, permissions, times (owner/group only where the receiver may)
    '--no-D', // no device or special files: the receiving account could not create them anyway
    '--partial', // an interrupted file stays (mtime 0) and is the basis of the next run: resume
    '--no-inc-recursive', // the whole file list first, so progress percentages and totals hold still
    '--stats',
    '--no-human-readable',
    `--timeout=${a.ioTimeoutSeconds}`,
  ];
  if (a.dryRun) args.push('--dry-run');
  // progress2 for the figures; every entry of the file list with its size (name2: unchanged ones
  // too), from which the manifest is made without listing the tree again (rsync-file-list.parser)
  else args.push('--info=progress2,name2', `--out-format=${LIST_OUT_FORMAT}`);
  if (a.checksum) args.push('--checksum'); // compare by content, not size + mtime
  if (a.bwlimitKiBps) args.push(`--bwlimit=${a.bwlimitKiBps}`);
  args.push('-e', ssh.map(rsyncEscape).join(' '));
  // the remote path is empty: rrsync maps it to the destination folder it is confined to;
  // SRC without a trailing slash lands as DST/basename(SRC), with one its contents land in DST
  args.push('--', a.contents ? withSlash(a.source) : a.source.replace(/\/+$/, ''), `${sshTarget(a.peer.user, a.peer.host)}:`);
  return args;
}

function withSlash(p: string): string {
  return p.endsWith('/') ? p : `${p}/`;
}
