import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { loadavg } from 'node:os';
import { startIdylServer } from '../test/support/idyl-server.js';
import { registerFakeNodes, type FakeNodesFigures } from './fake-nodes.js';
import { inParallel, requestJson } from './http-json.js';
import { latencies, type LatencyFigures } from './latency.js';
import { PlacedPods } from './placed-pods.js';
import { processCpuSeconds, processMemory, type ProcessMemory } from './process-stats.js';
import { round } from './stats.js';

/** Subnets, fake nodes and pods per size; `large` is the scheduler benchmark's size. */
export const API_CREATE_SIZES = {
  small: { subnets: 4, nodes: 200, pods: 2_000 },
  large: { subnets: 10, nodes: 10_000, pods: 100_000 },
} as const;

/** The figures one run reports. */
export interface ApiCreateFigures {
  readonly size: string;
  readonly subnets: number;
  readonly nodes: number;
  readonly pods: number;
  /** Pod creations in flight at once (keep-alive connections). */
  readonly concurrency: number;
  /** Joining the fake nodes over the API (one heartbeat each). */
  readonly registration: FakeNodesFigures;
  readonly create: {
    readonly seconds: number;
    readonly creationsPerSecond: number;
    /** The server's CPU seconds while the creations ran (its planning rounds included). */
    readonly serverCpuSeconds: number;
    readonly latency: LatencyFigures;
    /** HTTP status → how many creations got it (0: the request failed). */
    readonly statuses: Readonly<Record<string, number>>;
    readonly failures: number;
    /** The first refusal's body, when there was one. */
    readonly firstFailure?: string;
  };
  readonly placement: {
    /** Pods bound to a node when the last creation was answered. */
    readonly placedWhenCreated: number;
    /** Pods bound to a node at the end. */
    readonly placed: number;
    /** Seconds from the last creation until every pod was placed (or placement stalled). */
    readonly settleSeconds: number;
  };
  /** The server process: after start, after the nodes joined, at the end; hwm is its peak. */
  readonly memory: { readonly started: ProcessMemory; readonly afterNodes: ProcessMemory; readonly end: ProcessMemory };
  /** The machine's 1-minute load average at the end. */
  readonly loadAverage: number;
}

/** What `bin/idyl run busybox --name NAME` sends, into `subnet`. */
function podManifest(name: string, subnet: string): unknown {
  return {
    kind: 'Pod',
    metadata: { name, subnet, namespace: 'bench' },
    spec: { containers: [{ name: 'main', imageURI: '127.0.0.1:5000/idyl/busybox:1.35' }], restartPolicy: 'never' },
  };
}

/** Waits until every pod is placed, or nothing was placed for `stallMs`; resolves the seconds waited. */
async function settle(counter: PlacedPods, pods: number, stallMs: number): Promise<number> {
  const t0 = performance.now();
  let last = counter.read().placed;
  let lastChange = t0;
  while (last < pods && performance.now() - lastChange < stallMs) {
    await new Promise((r) => setTimeout(r, 100));
    const placed = counter.read().placed;
    if (placed !== last) lastChange = performance.now();
    last = placed;
  }
  return (performance.now() - t0) / 1000;
}

function intOption(value: string | undefined, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`api-create: expected a whole number, got ${value}`);
  return n;
}

/**
 * Creates pods through `POST /v1/namespaces/NS/workloads` (the route `idyl run` uses)
 * from `concurrency` keep-alive connections against a real `idyl server` on SQLite
 * whose subnets hold registered fake nodes, so the scheduler places the pods while
 * they are created. Reports throughput, latency, statuses, placement and the server's
 * memory (VmRSS/VmHWM). Options: concurrency, subnets, nodes, pods, nodeConcurrency.
 */
export async function run(options: { size?: string; concurrency?: string; subnets?: string; nodes?: string; pods?: string; nodeConcurrency?: string }): Promise<ApiCreateFigures> {
  const size = options.size ?? 'small';
  const preset = API_CREATE_SIZES[size as keyof typeof API_CREATE_SIZES] ?? API_CREATE_SIZES.small;
  const subnetCount = Math.max(1, intOption(options.subnets, preset.subnets));
  const nodeCount = intOption(options.nodes, preset.nodes);
  const podCount = intOption(options.pods, preset.pods);
  const concurrency = Math.max(1, intOption(options.concurrency, 16));
  const token = `idyl_pat_${randomBytes(30).toString('base64url')}`;
  // Fake nodes heartbeat once: a timeout longer than any run keeps them connected.
  const server = await startIdylServer({ token, heartbeatTimeout: '6h', nodeLostTimeout: '12h' });
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let counter: PlacedPods | undefined;
  try {
    const started = processMemory(server.pid);
    const subnets = Array.from({ length: subnetCount }, (_, i) => `bench-${i}`);
    for (const name of subnets) {
      const a = await requestJson(agent, server.url, 'POST', '/v1/subnets', token, { region: 'lab-1', name });
      if (a.status !== 201 && a.status !== 200) throw new Error(`api-create: creating subnet ${name} answered ${a.status}: ${a.text}`);
    }
    process.stderr.write(`api-create: registering ${nodeCount} fake nodes in ${subnetCount} subnets\n`);
    const registration = await registerFakeNodes(server.url, token, subnets, nodeCount, intOption(options.nodeConcurrency, 8));
    const afterNodes = processMemory(server.pid);
    counter = new PlacedPods(server.dataDir);

    process.stderr.write(`api-create: creating ${podCount} pods from ${concurrency} connections\n`);
    const ms: number[] = [];
    const statuses: Record<string, number> = {};
    let firstFailure: string | undefined;
    const cpu0 = processCpuSeconds(server.pid);
    const t0 = performance.now();
    await inParallel(podCount, concurrency, async (i) => {
      const s = performance.now();
      const a = await requestJson(agent, server.url, 'POST', '/v1/namespaces/bench/workloads', token, podManifest(`pod-${i}`, subnets[i % subnetCount] as string));
      ms.push(performance.now() - s);
      statuses[String(a.status)] = (statuses[String(a.status)] ?? 0) + 1;
      if (a.status !== 201 && a.status !== 200) firstFailure ??= `${a.status} ${a.text.slice(0, 500)}`;
    });
    const seconds = (performance.now() - t0) / 1000;
    const serverCpuSeconds = processCpuSeconds(server.pid) - cpu0;
    const placedWhenCreated = counter.read().placed;
    const settleSeconds = nodeCount > 0 ? await settle(counter, podCount, 15_000) : 0;
    const ok = (statuses['201'] ?? 0) + (statuses['200'] ?? 0);
    return {
      size,
      subnets: subnetCount,
      nodes: nodeCount,
      pods: podCount,
      concurrency,
      registration,
      create: {
        seconds: round(seconds, 2),
        creationsPerSecond: Math.round(podCount / seconds),
        serverCpuSeconds: round(serverCpuSeconds, 2),
        latency: latencies(ms),
        statuses,
        failures: podCount - ok,
        ...(firstFailure !== undefined ? { firstFailure } : {}),
      },
      placement: { placedWhenCreated, placed: counter.read().placed, settleSeconds: round(settleSeconds, 2) },
      memory: { started, afterNodes, end: processMemory(server.pid) },
      loadAverage: round(loadavg()[0] ?? 0, 2),
    };
  } finally {
    counter?.close();
    agent.destroy();
    await server.dispose();
  }
}
