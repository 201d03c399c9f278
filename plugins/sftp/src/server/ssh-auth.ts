import type { AuthContext } from 'ssh2';
import { publicKeyBlob, parseSshKey, sameSecret, sha256Hex } from '../keys/ssh-key.util';
import type { Grant } from '../destination/grant';

/** Looks up a usable grant by SSH user name (undefined: unknown, pending, revoked, expired, ended). */
export type GrantFinder = (username: string) => Promise<Grant | undefined>;

const MAX_ATTEMPTS = 6;

/**
 * Authentication of one connection, in two steps that must both succeed for the same user:
 * 1. publickey with the source's ephemeral key that the grant names (with a valid signature);
 * 2. password = the grant token (checked against its sha256), allowed only after step 1.
 * The key proves the caller is the source gateway named in the signed offer, the token proves the
 * researcher forwarded this destination's sealed parameters. Every other method is refused.
 */
export class SshAuthenticator {
  private keyVerifiedFor: string | null = null;
  private attempts = 0;
  /** the grant this connection authenticated for, once accepted */
  grant: Grant | null = null;

  constructor(private readonly findGrant: GrantFinder) {}

  async handle(ctx: AuthContext): Promise<'accepted' | 'rejected' | 'too-many'> {
    if (++this.attempts > MAX_ATTEMPTS) {
      ctx.reject();
      return 'too-many';
    }
    if (ctx.method === 'publickey') {
      const grant = await this.findGrant(ctx.username);
      const allowed = grant ? publicKeyBlob(grant.sshPublicKey) : null;
      if (!grant || !allowed || ctx.key.algo !== 'ssh-ed25519' || !allowed.equals(ctx.key.data)) {
        ctx.reject(['publickey']);
        return 'rejected';
      }
      if (!ctx.signature || !ctx.blob) {
        ctx.accept(); // only asks whether this key would do
        return 'rejected';
      }
      if (parseSshKey(grant.sshPublicKey, 'granted key').verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
        ctx.reject(['publickey']);
        return 'rejected';
      }
      this.keyVerifiedFor = ctx.username;
      ctx.reject(['password'], true);
      return 'rejected';
    }
    if (ctx.method === 'password' && this.keyVerifiedFor === ctx.username) {
      const grant = await this.findGrant(ctx.username);
      if (grant && sameSecret(sha256Hex(ctx.password), grant.tokenHash)) {
        this.grant = grant;
        ctx.accept();
        return 'accepted';
      }
    }
    ctx.reject(this.keyVerifiedFor ? ['password'] : ['publickey'], !!this.keyVerifiedFor);
    return 'rejected';
  }
}
