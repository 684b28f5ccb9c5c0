import type { HostCheck } from '../../api/node.js';
import { CHECK } from './check-names.js';
import type { DaemonAnswer, DockerFacts } from './host-view.js';

/** The default Docker Engine API socket. */
export const DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * The `docker` profile's engine checks, from the live daemon's answer only (never
 * daemon.json: field case 13): `docker.engine` and `docker.runtime.runc`.
 */
export function dockerChecks(answer: DaemonAnswer<DockerFacts>): HostCheck[] {
  if (!answer.ok) {
    return [
      { name: CHECK.dockerEngine, ok: false, detail: `Docker Engine socket ${answer.socket ?? DOCKER_SOCKET}: ${answer.error}` },
      { name: CHECK.dockerRunc, ok: false, detail: 'not checked: Docker Engine is not reachable (see docker.engine)' },
    ];
  }
  const { socket, version, runtimes, defaultRuntime } = answer.facts;
  const listed = runtimes.length ? runtimes.join(', ') : 'none';
  const runc = runtimes.includes('runc');
  return [
    { name: CHECK.dockerEngine, ok: true, detail: `Docker Engine at ${socket}: reachable, version ${version}` },
    {
      name: CHECK.dockerRunc,
      ok: runc,
      detail: runc
        ? `the live daemon lists runtime runc (runtimes: ${listed}; default ${defaultRuntime})`
        : `the live daemon does not list runtime runc (runtimes: ${listed})`,
    },
  ];
}
