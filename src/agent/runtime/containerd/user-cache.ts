import type { ContainerdConnection } from './containerd-connection.js';
import { withImageFiles } from './image-files.js';
import type { ResolvedImage } from './image-store.js';
import { isSelfContainedUser, resolveImageUser, type ProcessUser } from './image-user.js';

const resolved = new Map<string, ProcessUser>();

/**
 * The ids the image's `User` stands for. Numeric users need no lookup; names are read
 * from the image's /etc/passwd and /etc/group once per image config and user, then
 * remembered for the life of the process (an image config never changes).
 */
export async function resolveUserFor(conn: ContainerdConnection, snapshotter: string, image: ResolvedImage): Promise<ProcessUser> {
  const user = image.config.user;
  if (isSelfContainedUser(user)) return resolveImageUser(user, async () => undefined);
  const key = `${image.configDigest}|${user}`;
  const known = resolved.get(key);
  if (known) return known;
  const found = await withImageFiles(conn, snapshotter, image.chainId, (read) => resolveImageUser(user, read));
  resolved.set(key, found);
  return found;
}
