// Measures how long DockerDriver takes from create to a running container, against
// `docker run -d` and against the two raw Engine API calls, for the busybox test
// image (already pulled), network none. Figures are printed, not asserted.
//
//   npm run build && node dist/test/conformance/measure-docker-start.js [RUNS]
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { DockerDriver } from '../../src/agent/runtime/docker/docker-driver.js';
import { removeLabelled } from '../support/cleanup.js';
import { DOCKER_SOCKET } from '../support/probes.js';
import { runSelector, testLabels, uniqueName } from '../support/run-id.js';
import { ensureTestImage } from '../support/test-image.js';
import { httpRequest } from '../support/unix-http.js';

const runs = Number(process.argv[2] ?? 10);
const run = promisify(execFile);
const image = await ensureTestImage();
const driver = new DockerDriver({ socketPath: DOCKER_SOCKET });
await driver.pull({ uri: image.ref }, 'if_not_present');
const labels = testLabels('measure-start');
const labelArgs = Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]);

async function timed(start: () => Promise<string>): Promise<number> {
  const began = performance.now();
  const id = await start();
  const took = performance.now() - began;
  // Outside the timed window: it really runs, then goes.
  if ((await driver.inspect(id))?.state !== 'running') throw new Error(`${id} is not running after start`);
  await driver.remove(id);
  return took;
}

const viaDriver = async (): Promise<string> => {
  const { id } = await driver.create({ name: uniqueName('measure'), image: { uri: image.ref }, command: ['/bin/sleep', '300'], env: {}, network: 'none', runtime: 'runc', labels });
  await driver.start(id);
  return id;
};
const viaCli = async (): Promise<string> =>
  (await run('docker', ['run', '-d', '--network', 'none', ...labelArgs, image.ref, '/bin/sleep', '300'])).stdout.trim();
const viaApi = async (): Promise<string> => {
  const body = JSON.stringify({ Image: image.ref, Cmd: ['/bin/sleep', '300'], Labels: labels, HostConfig: { NetworkMode: 'none', Runtime: 'runc' } });
  const created = await httpRequest({ socketPath: DOCKER_SOCKET }, 'POST', '/containers/create', { body, headers: { 'Content-Type': 'application/json' } });
  const { Id } = JSON.parse(created.body) as { Id: string };
  await httpRequest({ socketPath: DOCKER_SOCKET }, 'POST', `/containers/${Id}/start`);
  return Id;
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

try {
  const results: Record<string, number[]> = { driver: [], 'docker run -d': [], 'raw API (create+start)': [] };
  await timed(viaDriver); // warm-up: the first create pays for connection set-up and caches
  for (let i = 0; i < runs; i += 1) {
    // Interleaved, so a slow patch of the host hits every method alike.
    results.driver?.push(await timed(viaDriver));
    results['docker run -d']?.push(await timed(viaCli));
    results['raw API (create+start)']?.push(await timed(viaApi));
  }
  for (const [name, values] of Object.entries(results)) {
    console.log(`${name.padEnd(24)} median ${median(values).toFixed(1)} ms  (min ${Math.min(...values).toFixed(1)}, max ${Math.max(...values).toFixed(1)}, n=${values.length})`);
  }
} finally {
  await removeLabelled(driver, { ...runSelector(), ...labels });
  await driver.close();
}
