import type { Command } from 'commander';
import { IdylError } from '../../api/errors.js';
import type { EventRecord } from '../../api/event.js';
import type { List } from '../../api/wire.js';
import type { Workload } from '../../api/workload.js';
import type { ApiClient } from '../../client/api-client.js';
import type { App } from '../app.js';
import { textOutput } from '../output/view.js';
import { parseKind } from '../workload/kinds.js';
import { describeText } from '../workload/views.js';

/** How many recent events `describe` shows. */
const RECENT_EVENTS = 20;

/** The workload's recent events from the account's event log (filtered here too, in case the server ignores `subject`). */
async function recentEvents(client: ApiClient, w: Workload): Promise<EventRecord[]> {
  const list = await client.call<List<EventRecord>>('events.list', { query: { subject: w.metadata.id } });
  const mine = list.items.filter(
    (e) => e.subject.id === w.metadata.id || (e.subject.name === w.metadata.name && e.subject.kind.toLowerCase() === w.kind.toLowerCase()),
  );
  return mine.slice(-RECENT_EVENTS);
}

/** `idyl describe KIND NAME`: status, conditions, placement, per-node reasons when pending, recent events. */
export function registerDescribe(program: Command, app: App): void {
  program
    .command('describe')
    .description('show a workload in detail: status, isolation, placement, conditions, why it is pending, recent events')
    .argument('<kind>', 'pods, deployments, sandboxes, ...')
    .argument('<name>', 'workload name')
    .action(
      app.action<object, [string, string]>(async (ctx, kindWord, name) => {
        const kind = parseKind(kindWord);
        const s = await ctx.settings();
        const client = await ctx.client();
        const w = await client.call<Workload>('workloads.get', { params: { namespace: s.namespace, kind: kind.plural, name } });
        let events: EventRecord[] = [];
        let note = '';
        try {
          events = await recentEvents(client, w);
        } catch (err) {
          if (!(err instanceof IdylError)) throw err;
          note = `  (events could not be read: ${err.code}: ${err.message})\n`;
        }
        return textOutput({ ...w, events }, describeText(w, events, ctx.io.now()) + note);
      }),
    );
}
