import type { Repos } from './store.js';

/**
 * The reads every request repeats and writes rarely change: who a token is (token,
 * account, identity) and the gates of a submission (subnet, approval, admission).
 * Only these methods are answered from the cache; every other method of these repos
 * that is not a plain read counts as a write.
 */
const CACHED_READS: { readonly [R in keyof Repos]?: ReadonlyArray<keyof Repos[R]> } = {
  tokens: ['findByHash'],
  accounts: ['get'],
  identities: ['get'],
  subnets: ['get', 'find'],
  approvals: ['has'],
  admission: ['list', 'get'],
};

/** Reads of these repos that are not cached and write nothing. */
const PLAIN_READS: ReadonlySet<string> = new Set(['get', 'find', 'findByHash', 'list', 'listAll', 'listByAccount', 'count', 'has', 'firstOfAccount']);

/**
 * `repos` whose writes to the cached repos throw: for a second connection of the
 * process (the background thread), whose writes the cache would not see.
 */
export function refuseGateWrites(repos: Repos): Repos {
  const out: Record<string, unknown> = { ...repos };
  for (const [name, cached] of Object.entries(CACHED_READS) as Array<[keyof Repos, readonly string[]]>) {
    const repo = repos[name] as unknown as Record<string, unknown>;
    const guarded: Record<string, unknown> = {};
    for (const [method, fn] of Object.entries(repo)) {
      guarded[method] = cached.includes(method) || PLAIN_READS.has(method) ? fn : () => Promise.reject(new Error(`${name}.${method}: this connection may not write ${name} (the main connection caches them)`));
    }
    out[name] = guarded;
  }
  return out as unknown as Repos;
}

/** Cached reads whose "not found" is kept too. */
const ABSENCES_KEPT: ReadonlySet<string> = new Set(['admission.get']);

/** Past this many entries the cache starts over (guessed tokens are not kept, but names asked for are). */
const MAX_ENTRIES = 10_000;

/**
 * A read-through cache over some of a single process's repos, exact because every
 * write goes through the same repos: any write to one of them (in a transaction or
 * not, committed or later rolled back) empties the cache before it runs, and a read
 * keeps its answer only if no write began while it ran. Reads inside a transaction
 * bypass it. Only for a store no other process writes to (SQLite; with PostgreSQL,
 * replicas write too).
 *
 * Answers are shared between callers and shallowly frozen. Absences are kept only for
 * admission entries (a subnet with none for the account, asked by every creation), so
 * guessing tokens or subnet names does not fill it.
 */
export class ReadCache {
  private generation = 0;
  private readonly entries = new Map<string, unknown>();

  /** `repos` with the cached reads answered from the cache (for reads outside transactions). */
  reading(repos: Repos): Repos {
    return this.wrap(repos, true);
  }

  /** `repos` whose writes empty the cache (for transactions and single-statement writes). */
  writing(repos: Repos): Repos {
    return this.wrap(repos, false);
  }

  private wrap(repos: Repos, answer: boolean): Repos {
    const out: Record<string, unknown> = { ...repos };
    for (const [name, cached] of Object.entries(CACHED_READS) as Array<[keyof Repos, readonly string[]]>) {
      const repo = repos[name] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const wrapped: Record<string, unknown> = {};
      for (const [method, fn] of Object.entries(repo)) {
        if (cached.includes(method)) wrapped[method] = answer ? (...args: unknown[]) => this.read(`${name}.${method}`, args, () => fn(...args)) : fn;
        else if (PLAIN_READS.has(method)) wrapped[method] = fn;
        else if (name === 'tokens' && method === 'touch')
          wrapped[method] = async (id: unknown, at: unknown) => {
            await fn(id, at);
            this.touched(String(id), String(at));
          };
        else
          wrapped[method] = (...args: unknown[]) => {
            this.invalidate();
            return fn(...args);
          };
      }
      out[name] = wrapped;
    }
    return out as unknown as Repos;
  }

  private async read(method: string, args: readonly unknown[], load: () => Promise<unknown>): Promise<unknown> {
    const key = `${method}\u0000${JSON.stringify(args)}`;
    if (this.entries.has(key)) return this.entries.get(key);
    const started = this.generation;
    const value = await load();
    // Absences are kept only where every creation asks (a subnet without an admission
    // entry for the account): made-up tokens or subnet names would fill the cache.
    if (started === this.generation && (value !== undefined || ABSENCES_KEPT.has(method))) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, value !== null && typeof value === 'object' ? Object.freeze(value) : value);
    }
    return value;
  }

  /**
   * Bookkeeping, not a change of who the token is: the cached token learns its new
   * `lastUsedAt` instead of emptying the cache (nodes touch their tokens every minute).
   */
  private touched(tokenId: string, at: string): void {
    for (const [key, value] of this.entries) {
      if (key.startsWith('tokens.findByHash\u0000') && (value as { id?: unknown }).id === tokenId) this.entries.set(key, Object.freeze({ ...(value as object), lastUsedAt: at }));
    }
  }

  private invalidate(): void {
    this.generation++;
    this.entries.clear();
  }
}
