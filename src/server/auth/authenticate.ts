import type { Store } from '../store/store.js';
import { hashSecret } from '../ids.js';
import type { Principal } from './principal.js';

/**
 * Why a token was not accepted (for the audit counter; the caller sees 401).
 * `node_removed`: a node credential whose node was deleted, told apart from one
 * revoked by rotation so that the node's agent knows to stop serving.
 */
export type AuthFailure = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'node_removed' | 'expired';

const BEARER = /^Bearer ([A-Za-z0-9_\-.]{8,200})$/;

/** `lastUsedAt` is written at most this often per token, so use does not mean a write per request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Resolves an Authorization header to a principal. One indexed lookup of the token's
 * hash: failed attempts cost little, so guessing does not slow others down.
 */
export async function authenticate(store: Store, header: string | undefined, now: Date): Promise<Principal | AuthFailure> {
  if (!header) return 'missing';
  const m = BEARER.exec(header);
  if (!m?.[1]) return 'malformed';
  const token = await store.read.tokens.findByHash(hashSecret(m[1]));
  if (!token) return 'unknown';
  if (token.revokedAt) return token.kind === 'node' && token.nodeId && !(await store.read.nodes.get(token.nodeId)) ? 'node_removed' : 'revoked';
  if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) return 'expired';
  if (!token.lastUsedAt || now.getTime() - Date.parse(token.lastUsedAt) >= TOUCH_EVERY_MS) {
    // Best effort: a failed bookkeeping write must not refuse a valid token.
    await store.read.tokens.touch(token.id, now.toISOString()).catch(() => undefined);
  }
  if (token.kind === 'node') {
    if (!token.nodeId) return 'unknown';
    return { kind: 'node', nodeId: token.nodeId, accountId: token.accountId, tokenId: token.id };
  }
  const [account, identity] = await Promise.all([store.read.accounts.get(token.accountId), token.identityId ? store.read.identities.get(token.identityId) : undefined]);
  if (!account || !identity) return 'unknown';
  return { kind: 'user', accountId: account.id, identityId: identity.id, identityName: identity.name, tokenId: token.id, root: account.root };
}

/**
 * True while the token a long-lived stream was opened with may still be used: a
 * stream ends when its token is revoked (rotation, node removal) or expires.
 */
export async function tokenStillValid(store: Store, tokenId: string, now: Date): Promise<boolean> {
  const t = await store.read.tokens.get(tokenId);
  return !!t && !t.revokedAt && !(t.expiresAt && Date.parse(t.expiresAt) <= now.getTime());
}
