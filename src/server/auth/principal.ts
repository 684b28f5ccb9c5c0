/** Who is calling, once the bearer token was checked. */
export type Principal =
  | {
      readonly kind: 'user';
      readonly accountId: string;
      readonly identityId: string;
      readonly identityName: string;
      readonly tokenId: string;
      /** The token belongs to the root account. */
      readonly root: boolean;
    }
  | { readonly kind: 'node'; readonly nodeId: string; readonly accountId: string; readonly tokenId: string };

/** A user principal acting for an account: its own, or any for root with `X-Idyl-Account`. */
export interface Actor {
  readonly principal: Principal & { readonly kind: 'user' };
  /** The account the request acts for. */
  readonly accountId: string;
}

/** A short description of a principal for audit records and logs (never the secret). */
export function describePrincipal(p: Principal | undefined): { kind: 'user' | 'node' | 'anonymous'; id: string; accountId?: string } {
  if (!p) return { kind: 'anonymous', id: '-' };
  return p.kind === 'user' ? { kind: 'user', id: p.identityId, accountId: p.accountId } : { kind: 'node', id: p.nodeId, accountId: p.accountId };
}
