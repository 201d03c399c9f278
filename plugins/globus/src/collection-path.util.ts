import * as posix from 'node:path/posix';
import { MechanismError, type DriveBinding } from '@ferry/plugin-sdk';
import { z } from 'zod';

const driveAttributes = z.object({
  collectionId: z.string().min(1),
  /** folder inside the collection that is the drive's root; '/' by default */
  basePath: z.string().startsWith('/').default('/'),
});

export interface GlobusDrive {
  collectionId: string;
  basePath: string;
}

/** The drive's Globus collection, from the gateway's drive attributes {collectionId, basePath}. */
export function globusDrive(drive: DriveBinding): GlobusDrive {
  const r = driveAttributes.safeParse(drive.attributes ?? {});
  if (!r.success) {
    throw new MechanismError(
      'REJECTED',
      `drive '${drive.id}' is not bound to a Globus collection: set attributes {"collectionId": "<uuid>", "basePath": "/"} in the gateway config`,
      'fatal',
    );
  }
  if (r.data.basePath.split('/').includes('..')) throw new MechanismError('BAD_PATH', `drive '${drive.id}' basePath may not contain '..'`, 'fatal');
  return { collectionId: r.data.collectionId, basePath: r.data.basePath };
}

/** Absolute collection path of a drive-relative path (already normalized by the gateway). */
export function collectionPath(basePath: string, rel: string): string {
  const p = posix.join('/', basePath, rel);
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** Folder form Globus wants for ACL rules and recursive items: trailing slash. */
export function asDir(p: string): string {
  return p.endsWith('/') ? p : `${p}/`;
}

export function joinPath(dir: string, name: string): string {
  return posix.join(dir, name);
}

export function basename(p: string): string {
  return posix.basename(p);
}

/**
 * When the gateway's drive also has a local `path` (the collection's storage mounted on this host,
 * basePath ↔ drive.root), the local file of a collection path; otherwise undefined.
 */
export function localResolver(drive: DriveBinding, basePath: string): ((collectionPath: string) => string) | undefined {
  if (!drive.root) return undefined;
  return (p) => {
    const rel = posix.relative(posix.join('/', basePath), posix.join('/', p));
    if (rel.startsWith('..')) throw new MechanismError('BAD_PATH', `${p} is outside the drive`, 'fatal');
    return rel ? `${drive.root.replace(/\/$/, '')}/${rel}` : drive.root;
  };
}
