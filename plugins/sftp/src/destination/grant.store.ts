import type { Clock, TransferDirectory, TransferHandle } from '@ferry/plugin-sdk';
import { isGrantUsable, readGrant, type Grant } from './grant';

/**
 * Where the embedded server finds grants. The persisted truth is each destination handle's state;
 * this keeps the latest copy in memory (checked on every SFTP request) and falls back to the
 * gateway's transfer directory for grants it has not seen since a restart. A grant whose transfer
 * has ended (no longer in the directory) never authenticates, whatever its recorded status.
 */
export class GrantStore {
  private readonly byUsername = new Map<string, Grant>();

  constructor(
    private readonly transfers: TransferDirectory,
    private readonly clock: Clock,
  ) {}

  /** Persists `grant` in the handle's state and makes it the live copy. */
  async save(t: TransferHandle, grant: Grant): Promise<void> {
    await t.saveState({ grant });
    this.byUsername.set(grant.username, grant);
  }

  /** Makes an already persisted grant the live copy (after a restart, or a repeated trigger). */
  remember(grant: Grant): void {
    this.byUsername.set(grant.username, grant);
  }

  /** The live copy (sync; used per SFTP request). */
  peek(username: string): Grant | undefined {
    return this.byUsername.get(username);
  }

  /** The grant for an authentication attempt, if its transfer is still running at this gateway. */
  async findForLogin(username: string): Promise<Grant | undefined> {
    let grant = this.byUsername.get(username);
    if (!grant) {
      for (const t of await this.transfers.active()) {
        const g = t.role === 'destination' ? readGrant(t.state) : undefined;
        if (g?.username === username) {
          grant = g;
          this.byUsername.set(username, g);
          break;
        }
      }
    }
    if (!grant || !isGrantUsable(grant, this.clock.now())) return undefined;
    const t = await this.transfers.get(grant.transferId);
    return t && t.role === 'destination' ? grant : undefined;
  }

  isLive(username: string): boolean {
    return isGrantUsable(this.byUsername.get(username), this.clock.now());
  }

  forget(username: string): void {
    this.byUsername.delete(username);
  }
}
