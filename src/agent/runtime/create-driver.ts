import { join } from 'node:path';
import { PROFILE_TABLE, type RuntimeProfile } from '../../api/isolation.js';
import type { RuntimeDriver } from './driver.js';

/** Where a node's driver finds its engine and keeps its files. */
export interface DriverSettings {
  readonly profile: RuntimeProfile;
  readonly stateDir: string;
  readonly dockerSocket?: string;
  readonly containerdSocket?: string;
}

/** The driver of the profile's engine (only the engine's folder imports its client library). */
export async function createDriver(s: DriverSettings): Promise<RuntimeDriver> {
  if (PROFILE_TABLE[s.profile].engine === 'docker') {
    const { DockerDriver } = await import('./docker/docker-driver.js');
    return new DockerDriver(s.dockerSocket ? { socketPath: s.dockerSocket } : {});
  }
  const { ContainerdDriver } = await import('./containerd/containerd-driver.js');
  return new ContainerdDriver({ ...(s.containerdSocket ? { socket: s.containerdSocket } : {}), stateDir: join(s.stateDir, 'containerd') });
}
