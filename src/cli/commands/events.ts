import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { IdylError } from '../../api/errors.js';
import type { EventRecord } from '../../api/event.js';
import type { List } from '../../api/wire.js';
import type { ApiClient } from '../../client/api-client.js';
import type { App } from '../app.js';
import { usageError } from '../cli-error.js';
import type { OutputFormat } from '../config/settings.js';
import type { CliIo } from '../io.js';
import { age } from '../output/format.js';
import { listOutput, type Column } from '../output/view.js';
import { toYaml } from '../output/writer.js';

interface EventsOpts {
  readonly follow?: boolean;
  readonly type?: string;
  readonly since?: string;
  readonly limit?: string;
}

/** Consecutive failed reconnects after which `events -f` gives up. */
const MAX_RECONNECTS = 5;

function subjectOf(e: EventRecord): string {
  return `${e.subject.kind}/${e.subject.name ?? e.subject.id}`;
}

function columns(now: Date): Column<EventRecord>[] {
  return [
    { header: 'REVISION', value: (e) => String(e.revision) },
    { header: 'AGE', value: (e) => age(e.at, now) },
    { header: 'TYPE', value: (e) => e.type },
    { header: 'SUBJECT', value: subjectOf },
    { header: 'MESSAGE', value: (e) => e.message },
  ];
}

/** One streamed event: a line for people, one compact JSON per line, or one YAML document. */
function streamLine(e: EventRecord, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(e)}\n`;
  if (format === 'yaml') return `---\n${toYaml(e)}`;
  return `${String(e.revision).padEnd(8)} ${e.at}  ${e.type.padEnd(24)} ${subjectOf(e).padEnd(32)} ${e.message}\n`;
}

/**
 * Streams events after revision `since` until interrupted, reconnecting from the last
 * revision seen when the stream breaks; events already seen are not printed twice.
 */
async function follow(client: ApiClient, io: CliIo, format: OutputFormat, type: string | undefined, since: number): Promise<void> {
  let last = since;
  let failures = 0;
  while (!io.signal.aborted) {
    try {
      for await (const e of client.ndjson<EventRecord>('events.list', { query: { follow: 'true', since: String(last), type } }, io.signal)) {
        failures = 0;
        if (typeof e.revision !== 'number' || e.revision <= last) continue;
        last = e.revision;
        io.stdout.write(streamLine(e, format));
      }
      if (io.signal.aborted) return;
    } catch (err) {
      if (!(err instanceof IdylError && err.code === 'unavailable') || ++failures > MAX_RECONNECTS) throw err;
      if (io.stderrIsTTY && format === 'table') io.stderr.write(`(stream interrupted: ${err.message}; reconnecting from revision ${last})\n`);
    }
    await sleep(Math.min(1000 * 2 ** failures, 10_000), undefined, { signal: io.signal }).catch(() => undefined);
  }
}

/** `idyl events [-f] [--type T] [--since REV] [--limit N]`: the account's event log. */
export function registerEvents(program: Command, app: App): void {
  program
    .command('events')
    .description("the account's event log; -f keeps streaming new events")
    .option('-f, --follow', 'after the recent events, stream new ones until interrupted')
    .option('--type <type>', 'only events of this type, e.g. workload.scheduled')
    .option('--since <revision>', 'only events after this revision')
    .option('--limit <n>', 'at most N events')
    .action(
      app.action<EventsOpts, []>(async (ctx) => {
        const { since, limit, type } = ctx.opts;
        if (since !== undefined && !/^\d+$/.test(since)) throw usageError(`--since expects a revision number, got "${since}"`);
        if (limit !== undefined && !/^\d+$/.test(limit)) throw usageError(`--limit expects a number, got "${limit}"`);
        const client = await ctx.client();
        const list = await client.call<List<EventRecord>>('events.list', { query: { type, since, limit } });
        if (!ctx.opts.follow) return listOutput(list.items, columns(ctx.io.now()), 'No events.');
        for (const e of list.items) ctx.io.stdout.write(streamLine(e, ctx.format));
        const lastSeen = list.items.reduce((m, e) => Math.max(m, e.revision), Number(since ?? 0));
        await follow(client, ctx.io, ctx.format, type, lastSeen);
        return undefined;
      }),
    );
}
