import type { DemoInfo } from './demo-info';

/** What the demo prints once everything is up: where to click, what to type. */
export function banner(info: DemoInfo, infoFile: string): string {
  const env = `FERRY_URL=${info.coreUrl} FERRY_TOKEN=${info.users.alice.token}`;
  const line = '─'.repeat(78);
  return [
    '',
    line,
    ' ferry demo is running: a core and two sites (provider A, provider B), all on this machine',
    line,
    '',
    ` Web app:      ${info.coreUrl}/   (sign in with alice's token)`,
    ` alice token:  ${info.users.alice.token}`,
    ` bob token:    ${info.users.bob.token}   (may read a-data, nothing at B)`,
    ` Drives:       a-data at provider A (${info.drives['a-data'].path})`,
    `               b-inbox at provider B (${info.drives['b-inbox'].path})`,
    ` Details:      ${infoFile}`,
    '',
    ' Try a transfer from another terminal, in this folder:',
    '',
    `   ${env} npx ferry keygen && \\`,
    `   ${env} npx ferry transfer a-data:/samples b-inbox:/ --wait`,
    '',
    ' or set the two variables once:',
    '',
    `   export ${env}`,
    '   npx ferry keygen                                   # once; refuses to overwrite your key',
    '   npx ferry drives',
    '   npx ferry ls a-data:/samples',
    '   npx ferry transfer a-data:/samples b-inbox:/ --wait',
    '   npx ferry tasks',
    '   npx ferry transfer b-inbox:/samples a-data:/ --wait   # rejected: no agreement covers B -> A',
    '',
    ' Ctrl-C stops everything. Data, keys and tokens stay in .ferry/ for the next `npm start`.',
    line,
    '',
  ].join('\n');
}
