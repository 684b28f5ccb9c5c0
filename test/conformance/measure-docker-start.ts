// Measures how long DockerDriver takes from create to a running container, against
// `docker run -d` and against the two raw Engine API calls, for the busybox test
// image (already pulled), network none. Figures are printed, not asserted.
//
//   npm run build && node dist/test/conformance/measure-docker-start.js [RUNS]
import { performance } from 'node:perf_hooks';
import { DockerDriver } from '../../src/agent/runtime/docker/docker-driver.js';
import { removeLabelled } from '../support/cleanup.js';
import { DOCKER_SOCKET } from '../support/probes.js';
import { dockerRunApi, dockerRunCli } from '../support/raw-engine-start.js';
import { runSelector, testLabels, uniqueName } from '../support/run-id.js';
import { ensureTestImage } from '../support/test-image.js';

const runs = Number(process.argv[2] ?? 10);
const image = await ensureTestImage();
const driver = new DockerDriver({ socketPath: DOCKER_SOCKET });
await driver.pull({ uri: image.ref }, 'if_not_present');
const labels = testLabels('measure-start');
const launch = { image: image.ref, command: ['/bin/sleep', '300'], labels };

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
const viaCli = (): Promise<string> => dockerRunCli(launch)(uniqueName('measure'));
const viaApi = (): Promise<string> => dockerRunApi(launch)(uniqueName('measure'));

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
