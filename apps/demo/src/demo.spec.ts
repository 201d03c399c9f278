import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { banner } from './banner';
import { demoSettings } from './demo-settings';
import { loadOrCreateDemoState } from './demo-state';
import { writeSampleData } from './sample-data';
import { DEMO_AGREEMENT, twoSiteWorld } from './world/two-site-world';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-demo-spec-'));

describe('demo settings', () => {
  it('derives all ports from FERRY_DEMO_PORT_BASE and refuses nonsense', () => {
    expect(demoSettings({ FERRY_DEMO_PORT_BASE: '9080' }, '/x').ports).toEqual({ core: 9080, gatewayA: 9081, gatewayB: 9082 });
    expect(demoSettings({}, '/x').ports.core).toBe(8080);
    expect(demoSettings({ FERRY_DEMO_PORT_BASE: '9080' }, '/x').tunnelPortRange).toBe('9100-9109');
    expect(demoSettings({}, '/x').infoFile).toBe('/x/.ferry/demo.json');
    expect(() => demoSettings({ FERRY_DEMO_PORT_BASE: 'abc' })).toThrow(/FERRY_DEMO_PORT_BASE/);
    expect(() => demoSettings({ FERRY_DEMO_PORT_BASE: '80' })).toThrow(/between 1024 and 65000/);
  });
});

describe('demo state', () => {
  it('keeps tokens and SSH ports across restarts, in a 0600 file', async () => {
    const dir = tmp();
    const first = await loadOrCreateDemoState(dir, [8080, 8081, 8082]);
    expect(fs.statSync(path.join(dir, 'state.json')).mode & 0o777).toBe(0o600);
    expect(first.tokens.alice).not.toBe(first.tokens.bob);
    expect([8080, 8081, 8082]).not.toContain(first.sftpPorts.a);
    expect(first.sftpPorts.a).not.toBe(first.sftpPorts.b);
    expect([first.sftpPorts.a, first.sftpPorts.b, 8080, 8081, 8082]).not.toContain(first.tunnelDataPort);
    const second = await loadOrCreateDemoState(dir, [8080, 8081, 8082]);
    expect(second).toEqual(first);
  });
});

describe('two-site world', () => {
  const world = twoSiteWorld({
    rootDir: '/demo',
    coreUrl: 'http://127.0.0.1:8080',
    coreKeyFile: '/demo/core/key.json',
    ports: { gatewayA: 8081, gatewayB: 8082, sftpA: 2201, sftpB: 2202 },
    tokens: { alice: 'ta', bob: 'tb' },
    tunnel: { portRange: '8100-8109', dataPort: 2203 },
  });

  it('gives A a tunnel access point with a port range and B one that reaches any 127.0.0.1 target over a fixed data port', () => {
    expect(world.gateways.a.plugins[1]).toEqual({
      package: '@ferry/plugin-stream-tunnel',
      options: { accessPoints: [{ id: 'a-lan', bindHost: '127.0.0.1', portRange: '8100-8109' }] },
    });
    expect(world.gateways.b.plugins[1]).toEqual({
      package: '@ferry/plugin-stream-tunnel',
      options: { accessPoints: [{ id: 'b-lan', targets: ['127.0.0.1:*'] }], dataPort: { host: '127.0.0.1', port: 2203 } },
    });
    // without tunnel ports the world has no tunnel plugin
    const plain = twoSiteWorld({ rootDir: '/d', coreUrl: 'http://c', coreKeyFile: '/k', ports: { gatewayA: 1, gatewayB: 2, sftpA: 3, sftpB: 4 }, tokens: { alice: 'a', bob: 'b' } });
    expect(plain.gateways.a.plugins.map((p) => p.package)).toEqual(['@ferry/plugin-sftp']);
  });

  it('lets A send to B under the demo agreement and gives B no agreement towards A', () => {
    expect(world.gateways.a.policy.outgoing).toEqual([{ peer: 'provider-b', agreement: DEMO_AGREEMENT }]);
    expect(world.gateways.b.policy.incoming).toEqual([{ peer: 'provider-a', agreement: DEMO_AGREEMENT }]);
    expect(world.gateways.b.policy.outgoing).toEqual([]);
  });

  it('gives alice READ+WRITE on both drives and bob READ on a-data only, with mappings at both sites', () => {
    const acl = (id: string) => world.seed.drives.find((d) => d.id === id)!.acl;
    expect(acl('a-data')).toEqual([
      { user: 'alice', permissions: ['READ', 'WRITE'] },
      { user: 'bob', permissions: ['READ'] },
    ]);
    expect(acl('b-inbox')).toEqual([{ user: 'alice', permissions: ['READ', 'WRITE'] }]);
    expect(world.seed.identityMappings.filter((m) => m.user === 'alice').map((m) => m.provider).sort()).toEqual(['provider-a', 'provider-b']);
    expect(world.seed.users.map((u) => [u.name, u.tokens])).toEqual([
      ['alice', ['ta']],
      ['bob', ['tb']],
    ]);
  });

  it('points gateways at the core key file and gives each its own fixed SFTP port', () => {
    for (const g of [world.gateways.a, world.gateways.b]) expect(g.core).toEqual({ url: 'http://127.0.0.1:8080', signPublicKeyFile: '/demo/core/key.json' });
    expect(world.gateways.a.plugins[0].options).toMatchObject({ embeddedServer: { port: 2201 } });
    expect(world.gateways.b.plugins[0].options).toMatchObject({ embeddedServer: { port: 2202 } });
    expect(world.seed.providers.map((p) => p.url)).toEqual(['http://127.0.0.1:8081', 'http://127.0.0.1:8082']);
  });
});

describe('sample data and banner', () => {
  it('writes the samples once and leaves them alone on the next start', () => {
    const dir = tmp();
    expect(writeSampleData(dir)).toBe(true);
    const files = fs.readdirSync(path.join(dir, 'samples'));
    expect(files).toEqual(expect.arrayContaining(['README.txt', 'empty.dat', 'climate', 'Messdaten Grüße – 観測 🌍.txt']));
    expect(fs.statSync(path.join(dir, 'samples', 'empty.dat')).size).toBe(0);
    fs.writeFileSync(path.join(dir, 'samples', 'mine.txt'), 'kept');
    expect(writeSampleData(dir)).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'samples', 'mine.txt'), 'utf8')).toBe('kept');
  });

  it('prints the web URL, the token and runnable CLI commands', () => {
    const text = banner(
      {
        coreUrl: 'http://127.0.0.1:8080',
        webUrl: 'http://127.0.0.1:8080/',
        users: { alice: { token: 'TOKEN-A' }, bob: { token: 'TOKEN-B' } },
        drives: {
          'a-data': { provider: 'provider-a', gatewayUrl: 'http://127.0.0.1:8081', path: '/d/a' },
          'b-inbox': { provider: 'provider-b', gatewayUrl: 'http://127.0.0.1:8082', path: '/d/b' },
        },
        gateways: { 'provider-a': { url: 'u', config: 'c' }, 'provider-b': { url: 'u', config: 'c' } },
        tunnels: { initiator: 'provider-a:a-lan', listener: 'provider-b:b-lan', portRange: '8100-8109', targets: ['127.0.0.1:*'] },
        startedAt: '2026-01-01T00:00:00Z',
      },
      '.ferry/demo.json',
    );
    expect(text).toContain('http://127.0.0.1:8080/');
    expect(text).toContain('FERRY_URL=http://127.0.0.1:8080 FERRY_TOKEN=TOKEN-A npx ferry keygen');
    expect(text).toContain('FERRY_URL=http://127.0.0.1:8080 FERRY_TOKEN=TOKEN-A npx ferry transfer a-data:/samples b-inbox:/ --wait');
    expect(text).toContain('npx ferry tunnel create provider-a:a-lan provider-b:b-lan --target 127.0.0.1:8080 --lifetime 30');
  });
});
