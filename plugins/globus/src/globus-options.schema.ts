import { z } from 'zod';

/**
 * Options of the Globus plugin in a gateway's config. The client secret is never inline: it lives in
 * a file of mode 0600 (clientSecretFile) that the plugin reads at start. Drives name their collection
 * in their own attributes ({collectionId, basePath}), not here.
 */
const schema = z
  .object({
    authUrl: z.string().url().default('https://auth.globus.org'),
    transferUrl: z.string().url().default('https://transfer.api.globus.org'),
    /** the application's client id; its identity is `<clientId>@clients.auth.globus.org` */
    clientId: z.string().min(1),
    /** absolute path (or relative to the gateway's working folder) of a 0600 file holding the secret */
    clientSecretFile: z.string().min(1),
    /** how often the one poller asks Globus about all active tasks */
    pollIntervalMs: z.number().int().min(10).max(600_000).default(2000),
    /** cap of the exponential backoff after 429/5xx (Retry-After is honoured even when longer) */
    maxBackoffMs: z.number().int().min(10).max(3_600_000).default(60_000),
    /** task ids per task_list request (Globus accepts at most 50 in a task_id filter) */
    pollBatchSize: z.number().int().min(1).max(50).default(50),
    /** Globus sync_level: skip files already at the destination (null: always copy) */
    syncLevel: z.enum(['exists', 'size', 'mtime', 'checksum']).nullable().default(null),
    encryptData: z.boolean().default(true),
    /** attempts for one-off calls (submit, ACL, ls) on 429/5xx/network errors */
    maxAttempts: z.number().int().min(1).max(20).default(6),
    requestTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /** renew the access token this long before it expires (at most half its lifetime) */
    tokenRenewMarginSeconds: z.number().int().min(0).default(300),
    /** entries per ls page when walking or browsing a collection */
    lsPageSize: z.number().int().min(1).max(100_000).default(1000),
  })
  .strict();

export type GlobusOptions = z.infer<typeof schema>;

export const globusOptionsSchema = {
  parse(raw: unknown): GlobusOptions {
    if (raw && typeof raw === 'object' && ('clientSecret' in raw || 'secret' in raw)) {
      // refuse before zod echoes anything: the secret must not sit in a config file others read
      throw new Error('globus: the client secret must not be inline; put it in a 0600 file and set clientSecretFile');
    }
    const r = schema.safeParse(raw ?? {});
    if (!r.success) {
      throw new Error('globus options invalid: ' + r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    }
    return r.data;
  },
};

export const SYNC_LEVELS: Record<NonNullable<GlobusOptions['syncLevel']>, 0 | 1 | 2 | 3> = { exists: 0, size: 1, mtime: 2, checksum: 3 };
