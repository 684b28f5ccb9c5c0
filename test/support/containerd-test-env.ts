import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ContainerdConnection } from '../../src/agent/runtime/containerd/containerd-connection.js';
import { ContainerdDriver } from '../../src/agent/runtime/containerd/containerd-driver.js';
import type { LaunchSpec } from '../../src/agent/runtime/driver.js';
import { requireDaemon, type DaemonCheck } from './daemon-gate.js';
import { CONTAINERD_SOCKET } from './probes.js';
import { testImage, type TestImage } from './test-image.js';

/** containerd answers a Version call on `socket` (a real gRPC round trip, not just a connect). */
export function containerdCheck(socket: string = CONTAINERD_SOCKET): DaemonCheck {
  return {
    name: `containerd at ${socket}`,
    probe: async () => {
      const conn = new ContainerdConnection(socket, 'idyl');
      try {
        await conn.call('version.Version', {}, { timeoutMs: 3000 });
      } finally {
        conn.close();
      }
    },
  };
}

/**
 * For the first line of a test that needs containerd and the busybox test image:
 * returns the image, or skips the test with the reason (fails it under CI=true).
 */
export async function needContainerdAndImage(t: TestContext, socket: string = CONTAINERD_SOCKET): Promise<TestImage | undefined> {
  const check = containerdCheck(socket);
  if (!(await requireDaemon(t, check.name, check.probe))) return undefined;
  return testImage(t);
}

/** A driver in a containerd namespace of its own, with a private state dir, and how to erase both. */
export interface ScratchNamespace {
  readonly driver: ContainerdDriver;
  /** A second connection in the same namespace, for looking behind the driver's back. */
  readonly conn: ContainerdConnection;
  readonly namespace: string;
  readonly stateDir: string;
  /** Removes every container, image and lease, the namespace itself and the state dir. */
  cleanup(): Promise<void>;
}

/**
 * A ContainerdDriver on `socket` confined to a fresh namespace `idyl-test-<random>`, so
 * a test never touches what it did not make; `cleanup` leaves the daemon as it was.
 */
export async function scratchNamespace(socket: string = CONTAINERD_SOCKET): Promise<ScratchNamespace> {
  const namespace = `idyl-test-${randomBytes(4).toString('hex')}`;
  const stateDir = await mkdtemp(join(tmpdir(), 'idyl-ctrd-state-'));
  const driver = new ContainerdDriver({ socket, namespace, stateDir });
  const conn = new ContainerdConnection(socket, namespace);
  const cleanup = async (): Promise<void> => {
    try {
      await eraseNamespace(driver, conn);
    } finally {
      await driver.close();
      conn.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  };
  return { driver, conn, namespace, stateDir, cleanup };
}

/**
 * Empties a namespace made for tests and deletes it: containers (through the driver,
 * so tasks, snapshots and log files go too), images, leases, then the namespace once
 * garbage collection has taken its blobs and snapshots. A namespace that was never
 * used is fine.
 */
export async function eraseNamespace(driver: ContainerdDriver, conn: ContainerdConnection): Promise<void> {
  const namespaces = (await conn.call('namespaces.List', {})).namespaces.map((n) => n.name);
  if (!namespaces.includes(conn.namespace)) return;
  for (const c of (await conn.call('containers.List', { filters: [] })).containers) await driver.remove(c.id);
  for (const image of (await conn.call('images.List', { filters: [] })).images) await conn.call('images.Delete', { name: image.name, sync: true });
  for (const lease of (await conn.call('leases.List', { filters: [] })).leases) await conn.call('leases.Delete', { id: lease.id, sync: true });
  for (let attempt = 0; ; attempt++) {
    try {
      await conn.call('namespaces.Delete', { name: conn.namespace });
      return;
    } catch (err) {
      // Garbage collection of the namespace's snapshots and blobs can lag a moment.
      if (attempt >= 40) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Removes the image record `ref` and every other record in the namespace with the
 * same target (its digest-pinned names); absent is fine.
 */
export async function removeContainerdImage(conn: ContainerdConnection, ref: string): Promise<void> {
  let digest: string | undefined;
  try {
    digest = (await conn.call('images.Get', { name: ref })).image.target?.digest;
  } catch {
    return;
  }
  for (const image of (await conn.call('images.List', { filters: [] })).images) {
    if (image.name === ref || (digest && image.target?.digest === digest)) await conn.call('images.Delete', { name: image.name, sync: true });
  }
}

/** A LaunchSpec for `image` on runc with no network, labelled as idyl's; override what a test needs. */
export function busyboxSpec(image: TestImage, name: string, overrides: Partial<LaunchSpec> = {}): LaunchSpec {
  return {
    name,
    image: { uri: image.ref },
    env: {},
    network: 'none',
    runtime: 'io.containerd.runc.v2',
    labels: { 'idyl.managed': 'true', 'idyl.workload': name },
    ...overrides,
  };
}

/** A short unique container name for a test. */
export function shortName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}
