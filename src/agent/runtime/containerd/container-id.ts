import { createHash } from 'node:crypto';

const VALID_ID = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
const MAX_ID = 76;

/**
 * The containerd container id for an engine-level name. containerd accepts letters
 * and digits joined by single `.`, `_` or `-`, at most 76 characters; a name that
 * already fits is its own id. Any other name maps to a fitting form of it followed by
 * 8 hex digits of its sha256, so distinct names never share an id. The mapping is
 * deterministic and leaves ids unchanged, so callers may pass either the name or the id.
 */
export function containerId(name: string): string {
  if (name.length <= MAX_ID && VALID_ID.test(name)) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  const base = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/[._-]{2,}/g, (run) => run[0]!)
    .replace(/^[._-]+/, '')
    .slice(0, MAX_ID - hash.length - 1)
    .replace(/[._-]+$/, '');
  return base ? `${base}-${hash}` : `c-${hash}`;
}
