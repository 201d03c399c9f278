import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hasAccessPoints } from '@ferry/plugin-sdk';
import { StreamTunnelPlugin } from '../src/stream-tunnel.plugin';
import { makeContext } from './helpers/plugin-context.helper';

describe('stream-tunnel access points (discovery)', () => {
  const root = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-tunnel-ap-'));

  it('lists initiator and listener sides as the options define them', () => {
    const plugin = new StreamTunnelPlugin(
      makeContext('provider-x', root(), {
        accessPoints: [
          { id: 'lan', bindHost: '127.0.0.1', portRange: '41000-41009', lanSecret: true },
          { id: 'svc', targets: ['127.0.0.1:*', '[::1]:5432'] },
          { id: 'both', portRange: '41010', targets: ['10.0.0.5:80'] },
          { id: 'nothing' },
        ],
        dataPort: { host: '127.0.0.1', port: 0 },
      }),
    );
    expect(hasAccessPoints(plugin)).toBe(true);
    expect(plugin.accessPoints()).toEqual([
      { id: 'lan', initiator: { bindHost: '127.0.0.1', portRange: '41000-41009', lanSecret: true }, listener: null },
      { id: 'svc', initiator: null, listener: { targets: ['127.0.0.1:*', '[::1]:5432'] } },
      { id: 'both', initiator: { bindHost: '127.0.0.1', portRange: '41010', lanSecret: false }, listener: { targets: ['10.0.0.5:80'] } },
      { id: 'nothing', initiator: null, listener: null },
    ]);
  });

  it('offers no listener side without a data port, whatever the targets say', () => {
    const plugin = new StreamTunnelPlugin(makeContext('provider-y', root(), { accessPoints: [{ id: 'svc', targets: ['127.0.0.1:*'] }] }));
    expect(plugin.accessPoints()).toEqual([{ id: 'svc', initiator: null, listener: null }]);
  });
});
