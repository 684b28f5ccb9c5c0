import { IdylError } from '../../api/errors.js';
import type { Account, CreatedToken, TokenInfo, Whoami } from '../../api/wire.js';
import { parseDuration } from '../../api/quantity.js';
import type { Actor, Principal } from '../auth/principal.js';
import { hashSecret, newAccountId, newId, newSecret } from '../ids.js';
import type { AccountRow, TokenRow } from '../store/rows.js';
import type { Repos } from '../store/store.js';
import { audit } from './audit.js';
import { isoNow, type ServiceDeps } from './deps.js';

const toAccount = (a: AccountRow): Account => ({ id: a.id, name: a.name, root: a.root, createdAt: a.createdAt });

/** Token as listed: everything but the secret. */
export function toTokenInfo(t: TokenRow): TokenInfo {
  return {
    id: t.id,
    name: t.name,
    accountId: t.accountId,
    createdAt: t.createdAt,
    ...(t.expiresAt ? { expiresAt: t.expiresAt } : {}),
    ...(t.revokedAt ? { revokedAt: t.revokedAt } : {}),
    ...(t.lastUsedAt ? { lastUsedAt: t.lastUsedAt } : {}),
  };
}

/** The shortest a personal access token may live: anything less is expired before it is used. */
const MIN_TOKEN_LIFETIME_MS = 1000;
/** The longest a personal access token may live. */
const MAX_TOKEN_LIFETIME_MS = 3 * 365 * 86_400_000;

/** Accounts, identities and personal access tokens. */
export class AccountsService {
  constructor(private readonly deps: ServiceDeps) {}

  /**
   * On an empty store: creates the root account, its admin identity and an admin
   * token (the given secret, or a new one). Returns the secret, or undefined when the
   * store was not empty.
   */
  async bootstrap(secret: string | undefined): Promise<string | undefined> {
    return this.deps.store.transaction(async (tx) => {
      // Replicas starting together on an empty PostgreSQL: only one creates the root.
      await tx.events.lock();
      if ((await tx.accounts.count()) > 0) return undefined;
      const at = isoNow(this.deps);
      const account: AccountRow = { id: newAccountId(), name: 'root', root: true, createdAt: at };
      await tx.accounts.insert(account);
      const identity = { id: newId('id'), accountId: account.id, name: 'admin', createdAt: at };
      await tx.identities.insert(identity);
      const token = secret ?? newSecret('pat');
      await tx.tokens.insert({ id: newId('tok'), accountId: account.id, identityId: identity.id, kind: 'pat', name: 'bootstrap', secretHash: hashSecret(token), createdAt: at });
      await tx.events.append({ type: 'account.created', accountId: account.id, subjectKind: 'account', subjectId: account.id, subjectName: 'root', message: 'root account created at first start' });
      return token;
    });
  }

  /** The account the request acts for (the token's own, or root's `-a`), and the token's identity. */
  async whoami(p: Principal, accountId: string): Promise<Whoami> {
    const account = await this.deps.store.read.accounts.get(accountId);
    if (p.kind === 'node') {
      return { accountId, accountName: account?.name ?? '', identity: { id: p.nodeId, name: p.nodeId, kind: 'node' }, tokenId: p.tokenId, root: false };
    }
    return { accountId, accountName: account?.name ?? '', identity: { id: p.identityId, name: p.identityName, kind: 'user' }, tokenId: p.tokenId, root: p.root };
  }

  /** Root only (checked at the edge): a new account with its first identity. */
  async create(actor: Actor, name: string): Promise<Account> {
    return this.deps.store.transaction(async (tx) => {
      const at = isoNow(this.deps);
      const account: AccountRow = { id: newAccountId(), name, root: false, createdAt: at };
      await tx.accounts.insert(account);
      await tx.identities.insert({ id: newId('id'), accountId: account.id, name: 'admin', createdAt: at });
      await tx.events.append({ type: 'account.created', accountId: actor.accountId, peerAccountId: account.id, subjectKind: 'account', subjectId: account.id, subjectName: name, message: `account ${account.id} (${name}) created` });
      return toAccount(account);
    });
  }

  /** Root sees every account; others see their own. */
  async list(actor: Actor): Promise<Account[]> {
    if (actor.principal.root) return (await this.deps.store.read.accounts.list()).map(toAccount);
    const own = await this.deps.store.read.accounts.get(actor.accountId);
    return own ? [toAccount(own)] : [];
  }

  async get(actor: Actor, id: string): Promise<Account> {
    const a = await this.deps.store.read.accounts.get(id);
    if (!a || (!actor.principal.root && a.id !== actor.accountId)) throw new IdylError('not_found', `no account ${id}`);
    return toAccount(a);
  }

  /** A PAT for the acting account's first identity; root may name another account. */
  async createToken(actor: Actor, req: { name: string; expiresIn?: string; accountId?: string }): Promise<CreatedToken> {
    const accountId = req.accountId ?? actor.accountId;
    if (accountId !== actor.principal.accountId && !actor.principal.root) {
      const refusal = new IdylError('forbidden', `this token may not create tokens for account ${accountId}`);
      await this.deps.store.transaction((tx) => audit(tx, { principal: actor.principal, peerAccountId: accountId, action: 'token.create', target: `account/${accountId}`, allowed: false, reason: refusal.message }));
      throw refusal;
    }
    let expiresAt: string | undefined;
    if (req.expiresIn !== undefined) {
      const d = parseDuration(req.expiresIn, 'expiresIn');
      if (!d.ok) throw d.error;
      if (d.value < MIN_TOKEN_LIFETIME_MS || d.value > MAX_TOKEN_LIFETIME_MS) throw new IdylError('validation_failed', `expiresIn: "${req.expiresIn}" is not between 1s and 3 years`, { field: 'expiresIn' });
      expiresAt = new Date(this.deps.now().getTime() + d.value).toISOString();
    }
    return this.deps.store.transaction(async (tx) => {
      const account = await tx.accounts.get(accountId);
      if (!account) throw new IdylError('not_found', `no account ${accountId}`);
      const identity = accountId === actor.principal.accountId ? await tx.identities.get(actor.principal.identityId) : await tx.identities.firstOfAccount(accountId);
      if (!identity) throw new IdylError('not_found', `account ${accountId} has no identity`);
      const secret = newSecret('pat');
      const row: TokenRow = {
        id: newId('tok'),
        accountId,
        identityId: identity.id,
        kind: 'pat',
        name: req.name,
        secretHash: hashSecret(secret),
        createdAt: isoNow(this.deps),
        ...(expiresAt ? { expiresAt } : {}),
      };
      await tx.tokens.insert(row);
      await audit(tx, { principal: actor.principal, accountId, peerAccountId: actor.principal.accountId, action: 'token.create', target: row.id, allowed: true, reason: expiresAt ? `expires ${expiresAt}` : 'no expiry' });
      return { ...toTokenInfo(row), token: secret };
    });
  }

  async listTokens(actor: Actor): Promise<TokenInfo[]> {
    return (await this.deps.store.read.tokens.listByAccount(actor.accountId, 'pat')).map(toTokenInfo);
  }

  async revokeToken(actor: Actor, id: string): Promise<TokenInfo> {
    const t = await this.deps.store.read.tokens.get(id);
    if (!t || t.kind !== 'pat' || t.accountId !== actor.accountId) {
      await this.deps.store.transaction((tx) => audit(tx, { principal: actor.principal, action: 'token.revoke', target: id, allowed: false, reason: 'no such token in this account' }));
      throw new IdylError('not_found', `no token ${id} in account ${actor.accountId}`);
    }
    return this.deps.store.transaction(async (tx) => {
      const at = isoNow(this.deps);
      await tx.tokens.revoke(id, at);
      await audit(tx, { principal: actor.principal, accountId: t.accountId, action: 'token.revoke', target: id, allowed: true, reason: 'revoked by its account' });
      return toTokenInfo({ ...t, revokedAt: t.revokedAt ?? at });
    });
  }
}
