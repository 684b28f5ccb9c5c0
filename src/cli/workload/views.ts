import type { EventRecord } from '../../api/event.js';
import type { Workload } from '../../api/workload.js';
import { age, cell, until } from '../output/format.js';
import { formatTable } from '../output/table.js';
import type { Column } from '../output/view.js';

interface ContainerLike {
  readonly imageURI?: string;
}
interface PodSpecLike {
  readonly containers?: readonly ContainerLike[];
}

/** The pod spec inside any kind's spec (`spec`, or `spec.template.spec`). */
export function podSpecOf(w: Workload): PodSpecLike | undefined {
  const spec = w.spec as { containers?: unknown; template?: { spec?: PodSpecLike } } | undefined;
  if (!spec) return undefined;
  if (Array.isArray(spec.containers)) return spec as PodSpecLike;
  return spec.template?.spec;
}

/** The image of the workload's (first) container. */
export function imageOf(w: Workload): string {
  return podSpecOf(w)?.containers?.[0]?.imageURI ?? '-';
}

function owner(w: Workload): string {
  const o = w.metadata.ownerReferences?.[0];
  return o ? `${o.kind}/${o.name}` : '-';
}

/** Why a pending workload waits, in a few words: the unschedulable summary or the failure reason. */
function reasonOf(w: Workload): string {
  const s = w.status;
  if (s.unschedulable) return s.unschedulable.summary;
  if (s.reason) return s.reason;
  const failing = s.conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (failing) return failing.reason;
  if (s.container?.state && s.phase === 'Pending') return s.container.state;
  return '-';
}

/** Table columns per kind (`pods` show their owner; deployments their ready count). */
export function workloadColumns(plural: string, now: Date): Column<Workload>[] {
  const name: Column<Workload> = { header: 'NAME', value: (w) => w.metadata.name };
  const phase: Column<Workload> = { header: 'PHASE', value: (w) => w.status.phase };
  const cls: Column<Workload> = { header: 'CLASS', value: (w) => cell(w.status.isolation?.class) };
  const node: Column<Workload> = { header: 'NODE', value: (w) => cell(w.status.placement?.nodeName ?? w.status.placement?.node) };
  const subnet: Column<Workload> = { header: 'SUBNET', value: (w) => cell(w.metadata.subnet) };
  const created: Column<Workload> = { header: 'AGE', value: (w) => age(w.metadata.createdAt, now) };
  const reason: Column<Workload> = { header: 'REASON', value: reasonOf };
  switch (plural) {
    case 'pods':
      return [name, phase, cls, node, { header: 'OWNER', value: owner }, { header: 'RESTARTS', value: (w) => String(w.status.container?.restartCount ?? 0) }, created, reason];
    case 'deployments':
      return [
        name,
        { header: 'READY', value: (w) => (w.status.replicas ? `${w.status.replicas.running}/${w.status.replicas.desired}` : '-') },
        phase,
        cls,
        subnet,
        created,
        reason,
      ];
    case 'sandboxes':
      return [name, phase, cls, node, { header: 'EXPIRES', value: (w) => until(w.status.expiresAt, now) }, created, reason];
    default:
      return [{ header: 'KIND', value: (w) => w.kind }, name, phase, cls, subnet, created];
  }
}

/** What `run`, `deploy`, `create sandbox` and `apply` print to people after a change. */
export function changedText(w: Workload, verb: string): string {
  const iso = w.status?.isolation ? `isolation ${w.status.isolation.class} (${w.status.isolation.source})` : undefined;
  const parts = [imageOf(w), w.metadata?.subnet && `subnet ${w.metadata.subnet}`, iso, w.status?.phase].filter(Boolean);
  return `✓ ${w.kind} ${w.metadata.name} ${verb}\n  ${parts.join(' · ')}\n`;
}

/** `idyl describe`: status, isolation, placement, conditions, diagnosis and recent events. */
export function describeText(w: Workload, events: readonly EventRecord[], now: Date): string {
  const s = w.status;
  const lines: string[] = [];
  const field = (k: string, v: string | undefined) => v !== undefined && lines.push(`${`${k}:`.padEnd(20)}${v}`);
  field('Name', w.metadata.name);
  field('Kind', w.kind);
  field('Namespace', w.metadata.namespace);
  field('Subnet', w.metadata.subnet === w.metadata.subnetSlug ? w.metadata.subnet : `${w.metadata.subnet} (${w.metadata.subnetSlug})`);
  field('Id', w.metadata.id);
  field('Created', `${w.metadata.createdAt} (${age(w.metadata.createdAt, now)} ago)`);
  if (w.metadata.ownerReferences?.length) field('Owner', owner(w));
  field('Image', imageOf(w));
  field('Phase', s.phase + (s.reason ? ` (${s.reason}${s.message ? `: ${s.message}` : ''})` : ''));
  if (s.isolation) field('Isolation', `${s.isolation.class} (${s.isolation.source})`);
  if (s.replicas) field('Replicas', `${s.replicas.running} running / ${s.replicas.created} created / ${s.replicas.desired} desired`);
  if (s.expiresAt) field('Expires', `${s.expiresAt} (${until(s.expiresAt, now)})`);
  if (s.placement) {
    const p = s.placement;
    field('Placement', `node ${p.nodeName || p.node} · ${p.runtimeProfile} · ${p.isolationClass}${p.vmmBackend ? ` · ${p.vmmBackend}` : ''}${p.gpus?.length ? ` · gpus ${p.gpus.join(',')}` : ''}`);
  }
  if (s.observedIsolation) {
    const o = s.observedIsolation;
    field('Observed isolation', `${o.class} via ${o.runtime}${o.vmmBackend ? ` (${o.vmmBackend})` : ''}: ${o.evidence}`);
  }
  if (s.container) {
    const c = s.container;
    field('Container', `${c.state}${c.exitCode !== undefined ? ` exit ${c.exitCode}` : ''}${c.reason ? ` (${c.reason})` : ''} · restarts ${c.restartCount}`);
  }
  if (s.conditions?.length) {
    lines.push('Conditions:');
    const table = formatTable(['TYPE', 'STATUS', 'REASON', 'MESSAGE'], s.conditions.map((c) => [c.type, c.status, c.reason, c.message]));
    lines.push(...table.trimEnd().split('\n').map((l) => `  ${l}`));
  }
  if (s.unschedulable) {
    lines.push(`Unschedulable:      ${s.unschedulable.summary}`);
    if (s.unschedulable.nodes.length) {
      const table = formatTable(['NODE', 'REASON', 'DETAIL'], s.unschedulable.nodes.map((n) => [n.nodeName ?? n.node, n.reason, n.detail ?? '']));
      lines.push(...table.trimEnd().split('\n').map((l) => `  ${l}`));
    }
  }
  lines.push('Events:');
  if (events.length === 0) lines.push('  <none>');
  else {
    const table = formatTable(['AGE', 'TYPE', 'MESSAGE'], events.map((e) => [age(e.at, now), e.type, e.message]));
    lines.push(...table.trimEnd().split('\n').map((l) => `  ${l}`));
  }
  return `${lines.join('\n')}\n`;
}
