import * as fs from 'node:fs';
import * as path from 'node:path';
import { ERROR_STATUS } from '@ferry/contracts';

/** docs/protocol.md's error table must list exactly the codes of ERROR_STATUS with their statuses. */
describe('docs/protocol.md error table', () => {
  it('matches ERROR_STATUS', () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../../docs/protocol.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Error codes'));
    const rows = [...section.matchAll(/^\| ([A-Z_]+) \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(Object.fromEntries(rows)).toEqual(ERROR_STATUS);
    expect(rows.length).toBe(Object.keys(ERROR_STATUS).length);
  });
});
