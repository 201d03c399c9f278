// scratch (not committed): keep a stack up for manual driving
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeSampleTree, startStack, writeRandomFile } from '../harness';
import { WEB_DIST } from './web-browser.util';
jest.setTimeout(3_600_000);
test('keep a stack', async () => {
  const stack = await startStack({ name: 'scratch', database: 'pglite', coreEnv: { FERRY_WEB_DIR: WEB_DIST } });
  await makeSampleTree(path.join(stack.dirs.aData, 'project'));
  for (let i = 0; i < 12; i++) await writeRandomFile(path.join(stack.dirs.aData, 'big-run', `part-${i}.bin`), 24 * 1024 * 1024);
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'incoming'), { recursive: true });
  fs.writeFileSync('/tmp/ferry-scratch.json', JSON.stringify({ base: stack.coreUrl, tokens: stack.tokens, dirs: stack.dirs }));
  while (!fs.existsSync('/tmp/ferry-scratch.stop')) await new Promise((r) => setTimeout(r, 1000));
  await stack.stop();
});
