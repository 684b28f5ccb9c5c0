import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ContainerdConnection } from '../../src/agent/runtime/containerd/containerd-connection.js';
import { ContainerdDriver } from '../../src/agent/runtime/containerd/containerd-driver.js';
import type { LaunchSpec, RuntimeDriver } from '../../src/agent/runtime/driver.js';

/** The system containerd's socket. */
export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';
/** The loopback registry that scripts/host/setup.sh starts. */
export const REGISTRY = '127.0.0.1:5000';
/** The busybox test image that scripts/host/setup.sh pushes. */
export const BUSYBOX = `${REGISTRY}/idyl/busybox:1.35`;

/**
 * Why a daemon a test needs is missing: the test skips with that reason, except under
 * `CI=true`, where the missing daemon fails the test.
 */
export function skipOrFail(t: TestContext, reason: string): void {
  if (process.env['CI'] === 'true') throw new Error(`required for this test: ${reason}`);
  t.skip(reason);
}

/** True when containerd answers on `socket`; otherwise skips (or fails under CI) and returns false. */
export async function needContainerd(t: TestContext, socket = CONTAINERD_SOCKET): Promise<boolean> {
  const conn = new ContainerdConnection(socket, 'idyl');
  try {
    await conn.call('version.Version', {}, { timeoutMs: 3000 });
    return true;
  } catch (err) {
    skipOrFail(t, `containerd is not answering on ${socket} (${err instanceof Error ? err.message : String(err)}); run scripts/host/setup.sh`);
    return false;
  } finally {
    conn.close();
  }
}

/** True when the loopback registry answers and holds the busybox image; otherwise skips (or fails under CI). */
export async function needRegistry(t: TestContext): Promise<boolean> {
  try {
    const res = await fetch(`http://${REGISTRY}/v2/idyl/busybox/manifests/1.35`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
      signal: AbortSignal.timeout(3000),
    });
    if (res.ok) return true;
    skipOrFail(t, `${BUSYBOX} is not in the registry (HTTP ${res.status}); run scripts/host/setup.sh`);
  } catch (err) {
    skipOrFail(t, `the registry ${REGISTRY} is not answering (${err instanceof Error ? err.message : String(err)}); run scripts/host/setup.sh`);
  }
  return false;
}

/** The digest the registry serves for a tag of idyl/busybox (a HEAD request). */
export async function registryDigest(tag = '1.35'): Promise<string> {
  const res = await fetch(`http://${REGISTRY}/v2/idyl/busybox/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
  });
  const digest = res.headers.get('docker-content-digest');
  if (!res.ok || !digest) throw new Error(`registry gave no digest for idyl/busybox:${tag} (HTTP ${res.status})`);
  return digest;
}

/** A driver in a containerd namespace of its own, with a private state dir, and how to erase both. */
export interface ScratchNamespace {
  readonly driver: ContainerdDriver;
  /** A second connection in the same namespace, for looking behind the driver's back. */
  readonly conn: ContainerdConnection;
  readonly namespace: string;
  readonly stateDir: string;
  /** Removes every container, image, lease and the namespace itself, then the state dir. */
  cleanup(): Promise<void>;
}

/**
 * A ContainerdDriver on `socket` confined to a fresh namespace `idyl-test-<random>`, so
 * a test never touches what it did not make; `cleanup` leaves the daemon as it was.
 */
export async function scratchNamespace(socket = CONTAINERD_SOCKET): Promise<ScratchNamespace> {
  const namespace = `idyl-test-${randomBytes(4).toString('hex')}`;
  const stateDir = await mkdtemp(join(tmpdir(), 'idyl-ctrd-state-'));
  const driver = new ContainerdDriver({ socket, namespace, stateDir });
  const conn = new ContainerdConnection(socket, namespace);
  const cleanup = async (): Promise<void> => {
    for (const c of (await conn.call('containers.List', { filters: [] })).containers) await driver.remove(c.id);
    for (const image of (await conn.call('images.List', { filters: [] })).images) await conn.call('images.Delete', { name: image.name, sync: true });
    for (const lease of (await conn.call('leases.List', { filters: [] })).leases) await conn.call('leases.Delete', { id: lease.id, sync: true });
    for (let attempt = 0; ; attempt++) {
      try {
        await conn.call('namespaces.Delete', { name: namespace });
        break;
      } catch (err) {
        // Garbage collection of the namespace's snapshots and blobs can lag a moment.
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    await driver.close();
    conn.close();
    await rm(stateDir, { recursive: true, force: true });
  };
  return { driver, conn, namespace, stateDir, cleanup };
}

/** A LaunchSpec for the busybox image on runc with no network, labelled as idyl's; override what a test needs. */
export function busyboxSpec(name: string, overrides: Partial<LaunchSpec> = {}): LaunchSpec {
  return {
    name,
    image: { uri: BUSYBOX },
    env: {},
    network: 'none',
    runtime: 'io.containerd.runc.v2',
    labels: { 'idyl.managed': 'true', 'idyl.workload': name },
    ...overrides,
  };
}

/** A unique container name for a test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** Everything a container wrote, per stream (non-following read). */
export async function collectLogs(driver: RuntimeDriver, id: string, tail?: number): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  for await (const chunk of driver.logs(id, { follow: false, ...(tail !== undefined ? { tail } : {}) })) {
    if (chunk.stream === 'stdout') stdout += chunk.data.toString('utf8');
    else stderr += chunk.data.toString('utf8');
  }
  return { stdout, stderr };
}
