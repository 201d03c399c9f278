import { sftpOptionsSchema } from './sftp.options';

describe('sftp options', () => {
  it('fills the documented defaults', () => {
    expect(sftpOptionsSchema.parse({})).toEqual({
      embeddedServer: { host: '127.0.0.1', port: 0 },
      backend: 'embedded',
      parallelFiles: 4,
      requestsInFlight: 64,
      chunkSize: 262144,
      grantLifetimeSeconds: 604800,
    });
  });

  it('accepts every-address listening with an advertised host', () => {
    expect(sftpOptionsSchema.parse({ embeddedServer: { host: '0.0.0.0', port: 2222, advertiseHost: 'sftp.example' } }).embeddedServer).toEqual({
      host: '0.0.0.0',
      port: 2222,
      advertiseHost: 'sftp.example',
    });
  });

  it.each([
    [{ parallelFiles: 0 }],
    [{ chunkSize: 10 }],
    [{ embeddedServer: { port: 70000 } }],
    [{ embeddedServer: { hots: '127.0.0.1' } }],
    [{ unknownOption: true }],
    [{ embeddedServer: { host: '0.0.0.0', port: 2222 } }],
  ])('refuses %j with a readable message', (raw) => {
    expect(() => sftpOptionsSchema.parse(raw)).toThrow();
  });
});
