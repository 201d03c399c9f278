import { streamTunnelOptionsSchema } from './options.schema';
import { parseHostPort, targetAllowed } from './target-pattern.util';

describe('stream-tunnel options', () => {
  const ap = { id: 'ap', portRange: '40000-40099' };

  it('fills defaults', () => {
    const o = streamTunnelOptionsSchema.parse({ accessPoints: [ap] });
    expect(o.accessPoints[0]).toEqual({ id: 'ap', bindHost: '127.0.0.1', portRange: '40000-40099', lanSecret: false, targets: [] });
    expect(o).toMatchObject({ maxConnectionsPerTunnel: 1024, idleTimeoutSeconds: 3600, handshakeTimeoutSeconds: 15 });
    expect(o.dataPort).toBeUndefined();
    // a listener-only access point needs no port range
    expect(streamTunnelOptionsSchema.parse({ accessPoints: [{ id: 'svc', targets: ['10.0.0.5:5432'] }] }).accessPoints[0].portRange).toBeUndefined();
  });

  it.each([
    [{ accessPoints: [{ ...ap, portRange: '40099-40000' }] }, 'portRange'],
    [{ accessPoints: [{ ...ap, portRange: '0-10' }] }, 'portRange'],
    [{ accessPoints: [{ ...ap, targets: ['10.0.0.5'] }] }, 'targets look like'],
    [{ accessPoints: [{ ...ap, targets: ['::1:5432'] }] }, 'targets look like'],
    [{ accessPoints: [ap, ap] }, "duplicate access point id 'ap'"],
    [{ accessPoints: [{ ...ap, id: 'a b' }] }, 'access point ids'],
    [{ accessPoints: [ap], dataPort: { host: '127.0.0.1' } }, 'port'],
    [{ accessPoints: [ap], surprise: 1 }, 'surprise'],
  ])('rejects %j with a readable message', (raw, words) => {
    expect(() => streamTunnelOptionsSchema.parse(raw)).toThrow(words);
  });

  it('matches targets literally, with port ranges, wildcards and IPv6', () => {
    const allowed = ['10.0.0.5:5432', '127.0.0.1:*', 'db.internal:8000-8010', '[::1]:80'];
    expect(targetAllowed(parseHostPort('10.0.0.5:5432'), allowed)).toBe(true);
    expect(targetAllowed(parseHostPort('10.0.0.5:5433'), allowed)).toBe(false);
    expect(targetAllowed(parseHostPort('127.0.0.1:22'), allowed)).toBe(true);
    expect(targetAllowed(parseHostPort('DB.internal:8005'), allowed)).toBe(true);
    expect(targetAllowed(parseHostPort('db.internal:8011'), allowed)).toBe(false);
    expect(targetAllowed(parseHostPort('[::1]:80'), allowed)).toBe(true);
    expect(targetAllowed(parseHostPort('10.0.0.50:5432'), allowed)).toBe(false);
    expect(() => parseHostPort('10.0.0.5:0')).toThrow('outside 1-65535');
    expect(() => parseHostPort('*:80')).toThrow('not host:port');
  });
});
