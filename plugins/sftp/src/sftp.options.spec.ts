import { sftpOptionsSchema } from './sftp.options';

describe('sftp options', () => {
  it('fills the documented defaults', () => {
    expect(sftpOptionsSchema.parse({})).toEqual({
      embeddedServer: { host: '127.0.0.1', port: 0 },
      parallelFiles: 4,
      requestsInFlight: 64,
      chunkSize: 262144,
      grantLifetimeSeconds: 604800,
    });
  });

  it.each([
    [{ parallelFiles: 0 }],
    [{ chunkSize: 10 }],
    [{ embeddedServer: { port: 70000 } }],
    [{ embeddedServer: { hots: '127.0.0.1' } }],
    [{ unknownOption: true }],
  ])('refuses %j with a readable message', (raw) => {
    expect(() => sftpOptionsSchema.parse(raw)).toThrow();
  });
});
