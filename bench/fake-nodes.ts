import http from 'node:http';
import type { RuntimeProfile } from '../src/api/isolation.js';
import type { JoinResult } from '../src/api/wire.js';
import { fakeReport } from '../test/support/test-node-client.js';
import { inParallel, requestJson } from './http-json.js';

/** What registering the fake nodes took. */
export interface FakeNodesFigures {
  readonly nodes: number;
  /** Joins or first heartbeats that were not answered 200/201. */
  readonly failures: number;
  readonly seconds: number;
  readonly nodesPerSecond: number;
}

/** Profiles the fake nodes take in turn (both serve the container class). */
const PROFILES: readonly RuntimeProfile[] = ['docker', 'containerd-runc'];

/**
 * FAKE NODES: registers `count` nodes over the API as `idyl node join` does (a user
 * token, a capability report that passed every host check: `fakeReport`, nothing was
 * probed), spread round-robin over `subnets`, and sends each one heartbeat with its own
 * credential so that the scheduler counts it connected. They run nothing and send no
 * further heartbeats: start the server with a heartbeat timeout longer than the run.
 */
export async function registerFakeNodes(base: string, token: string, subnets: readonly string[], count: number, concurrency: number): Promise<FakeNodesFigures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let failures = 0;
  const t0 = performance.now();
  try {
    await inParallel(count, concurrency, async (i) => {
      const body = { subnet: subnets[i % subnets.length], name: `fake-node-${i}`, report: fakeReport(PROFILES[i % PROFILES.length] ?? 'docker') };
      const joined = await requestJson(agent, base, 'POST', '/v1/nodes', token, body);
      if (joined.status !== 201 && joined.status !== 200) {
        failures++;
        return;
      }
      const { node, credential } = JSON.parse(joined.text) as JoinResult;
      const beat = await requestJson(agent, base, 'POST', `/v1/nodes/${encodeURIComponent(node.id)}/heartbeat`, credential, {});
      if (beat.status !== 200) failures++;
    });
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { nodes: count, failures, seconds: Math.round(seconds * 100) / 100, nodesPerSecond: Math.round(count / seconds) };
}
