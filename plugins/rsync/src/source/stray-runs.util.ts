import { promises as fs } from 'node:fs';

/**
 * rsync runs in its own process group, so a gateway that crashes (SIGKILL) leaves its rsync and
 * ssh running. Before a recovered transfer starts again, those leftovers are ended: they are the
 * processes whose command line names this transfer's run folder (its key file lives there), and
 * they run as this gateway's user. Linux /proc; elsewhere there is nothing to find.
 */
export async function endStrayRuns(runDir: string): Promise<number[]> {
  const marker = `${runDir}/`;
  const me = process.getuid?.();
  const ended: number[] = [];
  let entries: string[];
  try {
    entries = await fs.readdir('/proc');
  } catch {
    return ended;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (me !== undefined && (await fs.stat(`/proc/${e}`)).uid !== me) continue;
      const argv = (await fs.readFile(`/proc/${e}/cmdline`, 'utf8')).split('\0');
      if (!argv.some((a) => a.includes(marker))) continue;
      process.kill(Number(e), 'SIGKILL');
      ended.push(Number(e));
    } catch {
      /* gone meanwhile */
    }
  }
  return ended;
}
