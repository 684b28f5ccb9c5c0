import type { ContainerInspectInfo } from 'dockerode';
import type { ContainerInfo } from '../driver.js';

// Docker reports "never happened" times as the zero time.
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Maps Docker's inspect answer onto the driver's {@link ContainerInfo}. */
export function toContainerInfo(inspect: ContainerInspectInfo): ContainerInfo {
  const state = stateOf(inspect.State.Status);
  const startedAt = realTime(inspect.State.StartedAt);
  const finishedAt = realTime(inspect.State.FinishedAt);
  return {
    id: inspect.Id,
    name: inspect.Name.replace(/^\//, ''),
    labels: { ...(inspect.Config.Labels ?? {}) },
    state,
    ...(state === 'exited' ? { exitCode: inspect.State.ExitCode } : {}),
    ...(state === 'exited' && inspect.State.OOMKilled ? { oomKilled: true } : {}),
    ...(startedAt ? { startedAt } : {}),
    ...(finishedAt && state === 'exited' ? { finishedAt } : {}),
    runtime: inspect.HostConfig.Runtime ?? '',
    ...(inspect.State.Pid > 0 ? { pid: inspect.State.Pid } : {}),
  };
}

function stateOf(status: string): ContainerInfo['state'] {
  switch (status) {
    case 'created':
      return 'created';
    case 'running':
    case 'restarting':
      return 'running';
    case 'exited':
    case 'dead':
      return 'exited';
    default:
      return 'unknown';
  }
}

function realTime(value: string | undefined): string | undefined {
  return value && value !== ZERO_TIME ? value : undefined;
}
