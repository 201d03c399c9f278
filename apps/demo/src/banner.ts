import type { DemoInfo } from './demo-info';

/** The core's port, from its URL: the one local service every demo has. */
const corePort = (info: DemoInfo) => new URL(info.coreUrl).port || '80';

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
    ` Tunnel to a local service through both gateways (here the core's own port ${corePort(info)}; any`,
    ' 127.0.0.1 target works, e.g. a database), then use the address it prints:',
    '',
    '   npx ferry tunnel access-points',
    `   npx ferry tunnel create ${info.tunnels.initiator} ${info.tunnels.listener} --target 127.0.0.1:${corePort(info)} --lifetime 30`,
    '   curl http://ADDRESS-IT-PRINTS/health/live          # through A -> B -> the core',
    '   npx ferry tunnel ls',
    '   npx ferry tunnel close ID',
    '',
    ' Ctrl-C stops everything. Data, keys and tokens stay in .ferry/ for the next `npm start`.',
    line,
    '',
  ].join('\n');
}
