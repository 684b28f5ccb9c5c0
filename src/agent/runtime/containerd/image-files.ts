import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mount } from './api-types.js';
import type { ContainerdConnection } from './containerd-connection.js';
import type { ImageFileReader } from './image-user.js';

/**
 * Runs `fn` with a reader of files in an unpacked image (snapshot `chainId`). It takes
 * a read-only view of the snapshot, under a lease, and reads the layer directories the
 * view's mounts name (topmost first) straight from the host, without mounting
 * anything; the view and the lease are removed afterwards.
 */
export async function withImageFiles<T>(
  conn: ContainerdConnection,
  snapshotter: string,
  chainId: string,
  fn: (read: ImageFileReader) => Promise<T>,
): Promise<T> {
  const suffix = randomBytes(6).toString('hex');
  const lease = `idyl-view-${suffix}`;
  const key = `idyl-view-${suffix}`;
  await conn.call('leases.Create', { id: lease, labels: { 'containerd.io/gc.expire': new Date(Date.now() + 600_000).toISOString() } });
  try {
    const { mounts } = await conn.call('snapshots.View', { snapshotter, key, parent: chainId }, { lease });
    const dirs = layerDirs(mounts);
    return await fn(async (path) => {
      for (const dir of dirs) {
        const text = await readFile(join(dir, path), 'utf8').catch(() => undefined);
        if (text !== undefined) return text;
      }
      return undefined;
    });
  } finally {
    await conn.call('snapshots.Remove', { snapshotter, key }).catch(() => undefined);
    await conn.call('leases.Delete', { id: lease }).catch(() => undefined);
  }
}

/** The host directories of a view's mounts, topmost layer first. */
export function layerDirs(mounts: readonly Mount[]): string[] {
  const dirs: string[] = [];
  for (const m of mounts) {
    if (m.type === 'bind' || m.type === 'rbind') dirs.push(m.source);
    for (const option of m.options) {
      if (option.startsWith('upperdir=')) dirs.push(option.slice('upperdir='.length));
      if (option.startsWith('lowerdir=')) dirs.push(...option.slice('lowerdir='.length).split(':'));
    }
  }
  return dirs;
}
