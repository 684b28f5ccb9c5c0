// Measures how long ContainerdDriver takes from create to a running task, against
// `ctr run -d` of the same image and against the four raw API calls the driver makes
// (Containers.Create, Snapshots.Prepare, Tasks.Create, Tasks.Start, with a spec made
// beforehand and no stdio): busybox already pulled and unpacked, network none, runtime
// io.containerd.runc.v2. Figures are printed, not asserted.
//
//   npm run build && node dist/test/containerd/measure-containerd-start.js [RUNS]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ContainerdConnection } from '../../src/agent/runtime/containerd/containerd-connection.js';
import { ContainerdDriver } from '../../src/agent/runtime/containerd/containerd-driver.js';
import { eraseNamespace } from '../support/containerd-test-env.js';
import { CONTAINERD_SOCKET } from '../support/probes.js';
import { containerdRunApi, ctrRunCli, type RawStart } from '../support/raw-engine-start.js';
import { runId } from '../support/run-id.js';
import { ensureTestImage } from '../support/test-image.js';

const runs = Number(process.argv[2] ?? 10);
const namespace = `idyl-measure-${runId()}`;
const stateDir = await mkdtemp(join(tmpdir(), 'idyl-measure-'));
const image = await ensureTestImage();
const driver = new ContainerdDriver({ socket: CONTAINERD_SOCKET, namespace, stateDir });
const conn = new ContainerdConnection(CONTAINERD_SOCKET, namespace);
let counter = 0;

async function timed(start: (name: string) => Promise<void>): Promise<number> {
  const name = `measure-${(counter += 1)}`;
  const began = performance.now();
  await start(name);
  const took = performance.now() - began;
  // Outside the timed window: it really runs, then goes.
  if ((await driver.inspect(name))?.state !== 'running') throw new Error(`${name} is not running after start`);
  await driver.remove(name);
  return took;
}

const viaDriver = async (name: string): Promise<void> => {
  await driver.create({ name, image: { uri: image.ref }, command: ['/bin/sleep', '300'], env: {}, network: 'none', runtime: 'io.containerd.runc.v2', labels: { 'idyl.managed': 'true' } });
  await driver.start(name);
};
const launch = { image: image.ref, command: ['/bin/sleep', '300'], labels: { 'idyl.managed': 'true' } };
const viaCtr = async (name: string): Promise<void> => void (await ctrRunCli(launch, namespace)(name));
let rawStart: RawStart | undefined;
const viaApi = async (name: string): Promise<void> => void (await rawStart?.(name));

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

try {
  await driver.pull({ uri: image.ref }, 'if_not_present');
  // The raw series reuses the spec and parent snapshot of a driver-made container, with the id swapped.
  rawStart = await containerdRunApi(launch, driver, conn);
  const results: Record<string, number[]> = { 'ContainerdDriver create+start': [], 'ctr run -d': [], 'raw API (4 calls)': [] };
  // Warm-up: the first create pays for the channel, the protos and the image config.
  await timed(viaDriver);
  await timed(viaCtr);
  await timed(viaApi);
  for (let i = 0; i < runs; i += 1) {
    // Interleaved, so a slow patch of the host hits both alike.
    results['ContainerdDriver create+start']?.push(await timed(viaDriver));
    results['ctr run -d']?.push(await timed(viaCtr));
    results['raw API (4 calls)']?.push(await timed(viaApi));
  }
  for (const [name, values] of Object.entries(results)) {
    console.log(`${name.padEnd(30)} median ${median(values).toFixed(1)} ms  (min ${Math.min(...values).toFixed(1)}, max ${Math.max(...values).toFixed(1)}, n=${values.length})`);
  }
  const [ours, ctr, api] = Object.values(results).map(median);
  console.log(`driver / ctr run -d: ${((ours ?? 0) / (ctr ?? 1)).toFixed(2)}   driver / raw API: ${((ours ?? 0) / (api ?? 1)).toFixed(2)}`);
} finally {
  await eraseNamespace(driver, conn);
  await driver.close();
  conn.close();
  await rm(stateDir, { recursive: true, force: true });
}
