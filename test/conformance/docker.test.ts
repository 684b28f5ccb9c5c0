import { DockerDriver } from '../../src/agent/runtime/docker/docker-driver.js';
import { PROFILE_TABLE } from '../../src/api/isolation.js';
import { DOCKER_SOCKET, dockerCheck } from '../support/probes.js';
import { runId } from '../support/run-id.js';
import { httpRequest } from '../support/unix-http.js';
import { runtimeDriverConformance } from './runtime-driver.js';

// The docker profile's runtime, as the agent names it.
const RUNTIME = PROFILE_TABLE.docker.runtime;

await runtimeDriverConformance(
  'DockerDriver',
  async () => ({
    driver: new DockerDriver({ socketPath: DOCKER_SOCKET, restrictedNetwork: `idyl-test-${runId()}` }),
    runtime: RUNTIME,
    removeImage: removeDockerImage,
  }),
  { engine: dockerCheck(DOCKER_SOCKET) },
);

// Removes the image `ref` names by its id, so every tag and digest name it has goes too.
async function removeDockerImage(ref: string): Promise<void> {
  const found = await httpRequest({ socketPath: DOCKER_SOCKET }, 'GET', `/images/${encodeURIComponent(ref)}/json`);
  if (found.status === 404) return;
  const { Id } = JSON.parse(found.body) as { Id: string };
  const removed = await httpRequest({ socketPath: DOCKER_SOCKET }, 'DELETE', `/images/${encodeURIComponent(Id)}?force=true`);
  if (removed.status !== 200 && removed.status !== 404) throw new Error(`removing ${ref}: ${removed.status} ${removed.body}`);
}
