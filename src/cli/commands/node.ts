import type { Command } from 'commander';
import { IdylError } from '../../api/errors.js';
import type { GpuDevice } from '../../api/gpu.js';
import type { NodeInfo } from '../../api/node.js';
import type { List, ProviderPodView } from '../../api/wire.js';
import type { ApiClient } from '../../client/api-client.js';
import type { App } from '../app.js';
import { usageError } from '../cli-error.js';
import { age, cpuMemory } from '../output/format.js';
import { listOutput, resourceOutput, textOutput, type Column } from '../output/view.js';
import { noun } from './noun.js';

/**
 * GPUs grouped by model and mode: `2×h100(host-driver)`; a GPU the agent could not
 * name by its PCI ids and flagged: `1×0x10de:0x2f99(vfio,unnamed)`.
 */
export function gpuSummary(gpus: readonly GpuDevice[]): string {
  if (!gpus?.length) return '-';
  const groups = new Map<string, number>();
  for (const g of gpus) {
    const label = `${g.model ?? `${g.vendorId}:${g.deviceId}`}(${g.mode}${g.named === false ? ',unnamed' : ''})`;
    groups.set(label, (groups.get(label) ?? 0) + 1);
  }
  return [...groups].map(([label, n]) => `${n}×${label}`).join(',');
}

/** `Ready`, or `NotReady(reason)`, then every other condition that holds as `Type(reason)` (e.g. a failed host check). */
export function conditionSummary(conditions: NodeInfo['conditions'] | undefined): string {
  const parts: string[] = [];
  for (const c of conditions ?? []) {
    if (c.type === 'Ready') parts.push(c.status === 'True' ? 'Ready' : `NotReady(${c.reason})`);
    else if (c.status === 'True') parts.push(`${c.type}(${c.reason})`);
  }
  return parts.join(',') || '-';
}

/**
 * Runs `call` with `ref` as a node id; when the server has no node of that id, with
 * the id of the one node named `ref` among those the account sees (of `subnet` when
 * given). A name several nodes share is refused (`conflict`) with their ids; no
 * match is the server's `not_found`.
 */
export async function byIdOrName<T>(client: ApiClient, ref: string, subnet: string | undefined, call: (id: string) => Promise<T>): Promise<T> {
  try {
    return await call(ref);
  } catch (err) {
    if (!(err instanceof IdylError) || err.code !== 'not_found') throw err;
    const named = (await client.call<List<NodeInfo>>('nodes.list')).items.filter((n) => n.name === ref && n.id !== ref && (!subnet || n.subnet === subnet || n.subnetSlug === subnet));
    if (named.length > 1) throw new IdylError('conflict', `${named.length} nodes are named ${ref}: ${named.map((n) => `${n.id} (subnet ${n.subnetSlug})`).join(', ')}`, { hint: 'name the node by its id, or give --subnet' });
    if (!named[0]) throw err;
    return call(named[0].id);
  }
}

function columns(now: Date): Column<NodeInfo>[] {
  return [
    { header: 'ID', value: (n) => n.id },
    { header: 'NAME', value: (n) => n.name },
    { header: 'STATE', value: (n) => n.state },
    { header: 'RUNTIME PROFILE', value: (n) => n.runtimeProfile },
    { header: 'CLASS', value: (n) => n.isolationClass },
    { header: 'VMM', value: (n) => n.vmmBackend ?? '-' },
    { header: 'PLATFORM', value: (n) => n.platform ?? '-' },
    { header: 'CAPACITY', value: (n) => cpuMemory(n.capacity) },
    { header: 'ALLOCATED', value: (n) => cpuMemory(n.allocated) },
    { header: 'PODS', value: (n) => String(n.allocated?.pods ?? 0) },
    { header: 'GPUS', value: (n) => gpuSummary(n.gpus) },
    { header: 'CONDITIONS', value: (n) => conditionSummary(n.conditions) },
    { header: 'AGE', value: (n) => age(n.createdAt, now) },
  ];
}

/** `idyl node get|list [NODE]` and `idyl node delete NODE`. The agent's `node join|start|check` register on the same noun. */
export function registerNode(program: Command, app: App): void {
  const node = noun(program, 'node', 'provider nodes', ['nodes']);

  node
    .command('get')
    .alias('list')
    .description('nodes of the subnet (--subnet or the context; all you can see when none), or one node')
    .argument('[node]', 'node id or name')
    .action(
      app.action<object, [string | undefined]>(async (ctx, ref) => {
        const client = await ctx.client();
        const cols = columns(ctx.io.now());
        const s = await ctx.settings();
        if (ref !== undefined) return resourceOutput(await byIdOrName(client, ref, s.subnet, (id) => client.call<NodeInfo>('nodes.get', { params: { node: id } })), cols);
        const all = (await client.call<List<NodeInfo>>('nodes.list')).items;
        const items = s.subnet ? all.filter((n) => n.subnet === s.subnet || n.subnetSlug === s.subnet) : all;
        return listOutput(items, cols, s.subnet ? `No nodes in subnet ${s.subnet}.` : 'No nodes.');
      }),
    );

  node
    .command('workloads')
    .alias('pods')
    .description("the pods running on one of your nodes: name, owner, image, class, state (env only where the owner shares it)")
    .argument('<node>', 'node id or name')
    .action(
      app.action<object, [string]>(async (ctx, ref) => {
        const client = await ctx.client();
        const { subnet } = await ctx.settings();
        const pods = (await byIdOrName(client, ref, subnet, (id) => client.call<List<ProviderPodView>>('nodes.pods', { params: { node: id } }))).items;
        const now = ctx.io.now();
        return listOutput(
          pods,
          [
            { header: 'POD', value: (p) => p.id },
            { header: 'NAME', value: (p) => p.name },
            { header: 'OWNER', value: (p) => p.accountId },
            { header: 'IMAGE', value: (p) => p.containers.map((c) => c.image).join(',') },
            { header: 'CLASS', value: (p) => p.isolation.class },
            { header: 'PHASE', value: (p) => p.phase },
            { header: 'SHARED', value: (p) => p.shared.join(',') || '-' },
            { header: 'AGE', value: (p) => age(p.createdAt, now) },
          ],
          `No pods on node ${ref}.`,
        );
      }),
    );

  node
    .command('logs')
    .description("a pod's output on one of your nodes, when its owner shares logs with the provider")
    .argument('<node>', 'node id or name')
    .argument('<pod>', 'pod id (idyl node workloads NODE)')
    .option('-f, --follow', 'keep streaming new output until interrupted')
    .option('--tail <lines>', 'only the last LINES lines')
    .action(
      app.action<{ follow?: boolean; tail?: string }, [string, string]>(async (ctx, nodeRef, podId) => {
        if (ctx.opts.tail !== undefined && !/^\d+$/.test(ctx.opts.tail)) throw usageError(`--tail expects a number of lines, got "${ctx.opts.tail}"`);
        const query = { follow: ctx.opts.follow ? 'true' : undefined, tail: ctx.opts.tail };
        const client = await ctx.client();
        const { subnet } = await ctx.settings();
        const node = await byIdOrName(client, nodeRef, subnet, (id) => client.call<NodeInfo>('nodes.get', { params: { node: id } }));
        for await (const chunk of client.text('nodes.podLogs', { params: { node: node.id, pod: podId }, query }, ctx.io.signal)) ctx.io.stdout.write(chunk);
        return undefined;
      }),
    );

  node
    .command('delete')
    .description('remove a node and revoke its credential')
    .argument('<node>', 'node id or name')
    .action(
      app.action<object, [string]>(async (ctx, ref) => {
        const client = await ctx.client();
        const answer = await byIdOrName(client, ref, (await ctx.settings()).subnet, (id) => client.call<unknown>('nodes.delete', { params: { node: id } }));
        return textOutput(answer ?? { node: ref, deleted: true }, `✓ Node ${ref} deleted`);
      }),
    );
}
