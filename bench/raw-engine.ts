import type { RuntimeProfile } from '../src/api/isolation.js';
import { DockerDriver } from '../src/agent/runtime/docker/docker-driver.js';
import { removeLabelled } from '../test/support/cleanup.js';
import { scratchNamespace } from '../test/support/containerd-test-env.js';
import { containerdContainers, dockerContainers } from '../test/support/engine-cli.js';
import { containerdRunApi, ctrRunCli, dockerRunApi, dockerRunCli, type RawLaunch, type RawStart } from '../test/support/raw-engine-start.js';
import { runSelector, testLabels } from '../test/support/run-id.js';

/** The engine under a profile, driven without idyl: its own command line and its own API. */
export interface RawEngine {
  /** What `cli` runs, e.g. `docker run -d`. */
  readonly cliName: string;
  /** What `api` calls, e.g. `create+start`. */
  readonly apiName: string;
  readonly cli: RawStart;
  readonly api: RawStart;
  /** Whether container `id` runs (asked after the timed start). */
  running(id: string): Promise<boolean>;
  remove(id: string): Promise<void>;
  /** Removes everything made here; resolves how many containers are left behind (0). */
  close(): Promise<number>;
}

/** The raw engine of `profile` (docker or containerd-runc), the image pulled beforehand. */
export async function rawEngine(profile: RuntimeProfile, image: string, command: readonly string[], limits: { cpuMillis: number; memoryBytes: number }): Promise<RawEngine> {
  const labels = testLabels('deploy-latency');
  const launch: RawLaunch = { image, command, labels, ...limits };
  if (profile === 'docker') {
    const driver = new DockerDriver();
    await driver.pull({ uri: image }, 'if_not_present');
    const selector = { ...runSelector(), ...labels };
    return {
      cliName: 'docker run -d',
      apiName: 'Engine API create+start',
      cli: dockerRunCli(launch),
      api: dockerRunApi(launch),
      running: async (id) => (await driver.inspect(id))?.state === 'running',
      remove: (id) => driver.remove(id),
      close: async () => {
        await removeLabelled(driver, selector);
        await driver.close();
        return (await dockerContainers(selector)).length;
      },
    };
  }
  if (profile !== 'containerd-runc') throw new Error(`deploy-latency measures docker and containerd-runc, not ${profile}`);
  const scratch = await scratchNamespace();
  try {
    await scratch.driver.pull({ uri: image }, 'if_not_present');
    const api = await containerdRunApi(launch, scratch.driver, scratch.conn);
    return {
      cliName: 'ctr run -d',
      apiName: 'containerd API (4 calls)',
      cli: ctrRunCli(launch, scratch.namespace),
      api,
      running: async (id) => (await scratch.driver.inspect(id))?.state === 'running',
      remove: (id) => scratch.driver.remove(id),
      close: async () => {
        await scratch.cleanup();
        return (await containerdContainers({}, scratch.namespace)).length;
      },
    };
  } catch (err) {
    await scratch.cleanup();
    throw err;
  }
}
