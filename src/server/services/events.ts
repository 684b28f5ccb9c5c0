import type { ServerResponse } from 'node:http';
import type { EventRecord } from '../../api/event.js';
import { tokenStillValid } from '../auth/authenticate.js';
import type { EventBus } from '../event-bus.js';
import { startNdjson } from '../http/respond.js';
import type { EventFilter } from '../store/store.js';
import type { ServiceDeps } from './deps.js';

const PING_MS = 15_000;

/** Query of the event log as the API takes it. */
export interface EventsQuery {
  readonly since?: string;
  readonly follow?: string;
  readonly type?: string;
  readonly subject?: string;
  readonly limit?: string;
}

function filterOf(accountId: string, q: EventsQuery): EventFilter {
  return {
    accountId,
    ...(q.type ? { type: q.type === 'audit' ? 'audit' : q.type } : {}),
    ...(q.subject ? { subjectId: q.subject } : {}),
  };
}

/** The account's event log: a page, or (follow) a stream that resumes from `since` without gaps. */
export class EventsService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly bus: EventBus,
  ) {}

  async list(accountId: string, q: EventsQuery): Promise<{ items: EventRecord[]; revision: number }> {
    const limit = Math.min(Number(q.limit ?? 200), 1000);
    const filter = filterOf(accountId, q);
    const items = q.since !== undefined ? await this.deps.store.read.events.listSince(filter, Number(q.since), limit) : await this.deps.store.read.events.latest(filter, limit);
    return { items, revision: await this.deps.store.read.events.latestRevision() };
  }

  /** Follows until the client goes, the server stops, or the token it was opened with is revoked or expires. */
  async follow(accountId: string, q: EventsQuery, res: ServerResponse, signal: AbortSignal, tokenId: string): Promise<void> {
    const write = startNdjson(res);
    const filter = filterOf(accountId, q);
    let last = q.since !== undefined ? Number(q.since) : await this.deps.store.read.events.latestRevision();
    try {
      while (!signal.aborted) {
        if (!(await tokenStillValid(this.deps.store, tokenId, this.deps.now()))) break;
        const seen = this.bus.revision;
        const events = await this.deps.store.read.events.listSince(filter, last, 500);
        for (const e of events) {
          await write(e);
          last = e.revision;
        }
        if (events.length === 500) continue;
        await this.bus.wait(seen, PING_MS, signal);
        if (!signal.aborted && this.bus.revision <= seen) await write({ type: 'ping', revision: Math.max(last, seen) });
      }
    } finally {
      if (!res.writableEnded) res.end();
    }
  }
}
