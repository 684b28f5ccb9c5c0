import type { NodeInfo } from '../api/node.js';
import type { Subnet } from '../api/subnet.js';
import type { Whoami } from '../api/wire.js';
import type { Workload, WorkloadStatus } from '../api/workload.js';
import { sendJson, TestDoubleServer } from '../client/test-double-server.js';

/** FOR TESTS ONLY: API answers shaped like the control plane's, to feed the test double. */

export const ACCOUNT = '123456789012';
export const T0 = '2025-01-01T00:00:00.000Z';

/** A workload as the server would return it. */
export function workload(kind: Workload['kind'], name: string, status: Partial<WorkloadStatus> = {}, spec?: unknown): Workload {
  return {
    kind,
    metadata: {
      name,
      id: `w-${name}`,
      accountId: ACCOUNT,
      subnet: 'edge-a',
      subnetSlug: '4821',
      namespace: 'default',
      createdAt: T0,
      updatedAt: T0,
      resourceVersion: 1,
    },
    spec: spec ?? (kind === 'Pod' ? { containers: [{ name: 'main', imageURI: 'busybox:1.35' }] } : { template: { spec: { containers: [{ name: 'main', imageURI: 'busybox:1.35' }] } } }),
    status: { phase: 'Pending', isolation: { class: 'container', source: 'platform-default' }, conditions: [], ...status },
  };
}

/** A subnet as the server would return it. */
export function subnet(slug: string, extra: Partial<Subnet> = {}): Subnet {
  return {
    slug,
    region: 'us-east',
    accountId: ACCOUNT,
    admission: { developer: { mode: 'invite' }, provider: { mode: 'invite' }, entries: [] },
    createdAt: T0,
    updatedAt: T0,
    ...extra,
  };
}

/** A node as the server would return it. */
export function node(id: string, extra: Partial<NodeInfo> = {}): NodeInfo {
  return {
    id,
    name: `node-${id}`,
    accountId: ACCOUNT,
    subnet: 'edge-a',
    subnetSlug: '4821',
    state: 'connected',
    runtimeProfile: 'containerd-runc',
    isolationClass: 'container',
    platform: 'linux/amd64',
    verified: true,
    capacity: { cpuMillis: 4000, memoryBytes: 8 * 2 ** 30, gpus: 0 },
    allocated: { cpuMillis: 500, memoryBytes: 512 * 2 ** 20, gpus: 0, pods: 1 },
    gpus: [],
    conditions: [],
    createdAt: T0,
    ...extra,
  };
}

export const WHOAMI: Whoami = {
  accountId: ACCOUNT,
  accountName: 'acme',
  identity: { id: 'u1', name: 'admin', kind: 'user' },
  tokenId: 'tok1',
  root: true,
};

/** A test double that answers `whoami`, and echoes created workloads back as Pending. */
export async function startDouble(): Promise<TestDoubleServer> {
  const double = await new TestDoubleServer().start();
  double.json('GET /v1/whoami', WHOAMI);
  double.on('POST /v1/namespaces/default/workloads', (req, res) => {
    const m = req.body as { kind: Workload['kind']; metadata: { name: string }; spec: unknown };
    sendJson(res, 201, workload(m.kind, m.metadata.name, {}, m.spec));
  });
  return double;
}
