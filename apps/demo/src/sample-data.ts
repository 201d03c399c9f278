import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The demo's data at provider A, written once (a restart keeps whatever is there):
 * nested folders, a 6 MiB file (long enough to watch a progress bar), a unicode name and an empty file.
 */
export function writeSampleData(dataDir: string): boolean {
  const samples = path.join(dataDir, 'samples');
  if (fs.existsSync(samples)) return false;
  const put = (rel: string, content: string | Buffer) => {
    const f = path.join(samples, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, content);
  };
  put('README.txt', 'Sample data for the ferry demo. Transfer this folder to b-inbox.\n');
  put('climate/2025/temperatures.csv', 'day,celsius\n' + Array.from({ length: 365 }, (_, i) => `${i + 1},${(10 + 8 * Math.sin(i / 58)).toFixed(2)}`).join('\n') + '\n');
  put('climate/2025/raw/station-7.bin', randomBytes(6 * 1024 * 1024));
  put('climate/2026/notes.md', '# 2026\nNothing measured yet.\n');
  put('Messdaten Grüße – 観測 🌍.txt', 'unicode names travel too\n');
  put('empty.dat', '');
  return true;
}
