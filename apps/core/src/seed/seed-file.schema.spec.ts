import { seedFileSchema } from './seed-file.schema';

const key = Buffer.alloc(32, 7).toString('base64');

describe('seed file schema', () => {
  it('accepts the documented format and fills defaults', () => {
    const s = seedFileSchema.parse({
      users: [{ name: 'alice', tokens: ['alice-demo-token'] }],
      projects: [{ name: 'climate', members: ['alice'] }],
      providers: [{ id: 'provider-a', name: 'Provider A', url: 'http://127.0.0.1:8081', signPublicKey: key, boxPublicKey: key }],
      drives: [{ id: 'a-data', name: 'A data', provider: 'provider-a', gatewayDrive: 'data', acl: [{ user: 'alice', permissions: ['READ', 'WRITE'] }, { project: 'climate', permissions: ['READ'] }] }],
      identityMappings: [{ user: 'alice', provider: 'provider-a', identity: 'alice' }],
    });
    expect(s.users[0].admin).toBe(false);
    expect(seedFileSchema.parse({})).toEqual({ users: [], projects: [], providers: [], drives: [], identityMappings: [] });
  });

  it.each([
    ['a half-pinned provider', { providers: [{ id: 'p', name: 'P', url: 'http://x', signPublicKey: key }] }],
    ['a malformed key', { providers: [{ id: 'p', name: 'P', url: 'http://x', signPublicKey: 'abc', boxPublicKey: key }] }],
    ['an ACL entry naming both user and project', { drives: [{ id: 'd', name: 'D', provider: 'p', gatewayDrive: 'g', acl: [{ user: 'a', project: 'b', permissions: ['READ'] }] }] }],
    ['an unknown permission', { drives: [{ id: 'd', name: 'D', provider: 'p', gatewayDrive: 'g', acl: [{ user: 'a', permissions: ['DELETE'] }] }] }],
    ['a drive id that is not a slug', { drives: [{ id: 'My Drive', name: 'D', provider: 'p', gatewayDrive: 'g' }] }],
    ['an unknown field', { users: [{ name: 'a', password: 'x' }] }],
  ])('refuses %s', (_what, seed) => {
    expect(seedFileSchema.safeParse(seed).success).toBe(false);
  });
});
