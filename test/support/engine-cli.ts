import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A container as the engine's own command line tool shows it (not through idyl's drivers). */
export interface EngineContainer {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly running: boolean;
  /** The process id of the container's main process while it runs (0 otherwise). */
  readonly pid: number;
  /** Docker only: when the engine last started it, and how often the engine restarted it. */
  readonly startedAt?: string;
  readonly restartCount?: number;
}

/** The containerd namespace the containerd driver keeps everything idyl makes in. */
export const IDYL_CONTAINERD_NAMESPACE = 'idyl';

/** Every Docker container (running or not) whose labels include all of `selector`, via `docker ps -a` and `docker inspect`. */
export async function dockerContainers(selector: Readonly<Record<string, string>>): Promise<EngineContainer[]> {
  const filters = Object.entries(selector).flatMap(([k, v]) => ['--filter', `label=${k}=${v}`]);
  const ids = (await run('docker', ['ps', '-a', '-q', '--no-trunc', ...filters])).stdout.split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  const inspected = JSON.parse((await run('docker', ['inspect', ...ids])).stdout) as Array<{
    Id: string;
    RestartCount: number;
    Config: { Labels: Record<string, string> | null };
    State: { Running: boolean; Pid: number; StartedAt: string };
  }>;
  return inspected.map((c) => ({ id: c.Id, labels: c.Config.Labels ?? {}, running: c.State.Running, pid: c.State.Pid, startedAt: c.State.StartedAt, restartCount: c.RestartCount }));
}

/** Every containerd container in `namespace` whose labels include all of `selector`, via `ctr containers ls`, `containers info` and `tasks ls`. */
export async function containerdContainers(selector: Readonly<Record<string, string>>, namespace = IDYL_CONTAINERD_NAMESPACE): Promise<EngineContainer[]> {
  const filter = Object.entries(selector).map(([k, v]) => `labels."${k}"==${v}`).join(',');
  const ids = (await run('ctr', ['-n', namespace, 'containers', 'ls', '-q', filter])).stdout.split('\n').filter(Boolean);
  const tasks = new Map<string, { pid: number; status: string }>();
  for (const line of (await run('ctr', ['-n', namespace, 'tasks', 'ls'])).stdout.split('\n').slice(1)) {
    const [id, pid, status] = line.trim().split(/\s+/);
    if (id && pid && status) tasks.set(id, { pid: Number(pid), status });
  }
  const out: EngineContainer[] = [];
  for (const id of ids) {
    const info = JSON.parse((await run('ctr', ['-n', namespace, 'containers', 'info', id])).stdout) as { Labels?: Record<string, string> };
    const task = tasks.get(id);
    out.push({ id, labels: info.Labels ?? {}, running: task?.status === 'RUNNING', pid: task?.status === 'RUNNING' ? task.pid : 0 });
  }
  return out;
}

/** The containers of node `nodeId` on `engine`, seen through the engine's own tool. */
export function nodeContainers(engine: 'docker' | 'containerd', nodeId: string, extra: Readonly<Record<string, string>> = {}): Promise<EngineContainer[]> {
  const selector = { 'idyl.managed': 'true', 'idyl.node': nodeId, ...extra };
  return engine === 'docker' ? dockerContainers(selector) : containerdContainers(selector);
}
