import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { ContainerdConnection } from '../../src/agent/runtime/containerd/containerd-connection.js';
import { ContainerdDriver } from '../../src/agent/runtime/containerd/containerd-driver.js';
import { PROFILE_TABLE } from '../../src/api/isolation.js';
import { containerdCheck, eraseNamespace, removeContainerdImage } from '../support/containerd-test-env.js';
import { CONTAINERD_SOCKET } from '../support/probes.js';
import { runId } from '../support/run-id.js';
import { runtimeDriverConformance } from './runtime-driver.js';

// The containerd-runc profile's runtime, as the agent names it.
const RUNTIME = PROFILE_TABLE['containerd-runc'].runtime;
// A namespace of the run's own: erasing it at the end leaves containerd as it was.
const NAMESPACE = `idyl-conformance-${runId()}`;

let made: { driver: ContainerdDriver; conn: ContainerdConnection; stateDir: string } | undefined;

await runtimeDriverConformance(
  'ContainerdDriver',
  async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'idyl-conformance-'));
    const driver = new ContainerdDriver({ socket: CONTAINERD_SOCKET, namespace: NAMESPACE, stateDir });
    const conn = new ContainerdConnection(CONTAINERD_SOCKET, NAMESPACE);
    made = { driver, conn, stateDir };
    return { driver, runtime: RUNTIME, removeImage: (ref) => removeContainerdImage(conn, ref) };
  },
  { engine: containerdCheck(CONTAINERD_SOCKET) },
);

// Runs after the suite's own clean-up (which closes the driver): a fresh driver
// empties and deletes the run's namespace.
after(async () => {
  if (!made) return;
  const sweeper = new ContainerdDriver({ socket: CONTAINERD_SOCKET, namespace: NAMESPACE, stateDir: made.stateDir });
  try {
    await eraseNamespace(sweeper, made.conn);
  } finally {
    await sweeper.close();
    made.conn.close();
    await rm(made.stateDir, { recursive: true, force: true });
  }
});
