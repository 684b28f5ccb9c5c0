import { connect } from 'node:net';
import type { DaemonCheck } from './daemon-gate.js';
import { httpRequest } from './unix-http.js';

/** Docker Engine's API socket on the test host. */
export const DOCKER_SOCKET = '/var/run/docker.sock';
/** containerd's API socket on the test host. */
export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';
/** The OCI registry on loopback that scripts/host/setup.sh starts (`IDYL_TEST_REGISTRY` overrides). */
export const TEST_REGISTRY = process.env.IDYL_TEST_REGISTRY ?? '127.0.0.1:5000';

/** Docker Engine answers `/_ping` on `socketPath`. */
export function dockerCheck(socketPath: string = DOCKER_SOCKET): DaemonCheck {
  return {
    name: `Docker Engine at ${socketPath}`,
    probe: async () => {
      const answer = await httpRequest({ socketPath }, 'GET', '/_ping', { timeoutMs: 3000 });
      if (answer.status !== 200) throw new Error(`/_ping answered ${answer.status}`);
    },
  };
}

/** An OCI registry answers `/v2/` over plain HTTP at `address` (host:port). */
export function registryCheck(address: string = TEST_REGISTRY): DaemonCheck {
  return {
    name: `OCI registry at ${address}`,
    probe: async () => {
      const answer = await httpRequest({ baseUrl: `http://${address}` }, 'GET', '/v2/', { timeoutMs: 3000 });
      if (answer.status !== 200) throw new Error(`/v2/ answered ${answer.status}`);
    },
  };
}

/** Something accepts connections on the unix socket `path` (e.g. containerd). */
export function socketCheck(name: string, path: string = CONTAINERD_SOCKET): DaemonCheck {
  return {
    name: `${name} at ${path}`,
    probe: () =>
      new Promise<void>((resolve, reject) => {
        const socket = connect({ path }, () => {
          socket.end();
          resolve();
        });
        socket.setTimeout(3000, () => socket.destroy(new Error('no answer within 3 s')));
        socket.on('error', reject);
      }),
  };
}
