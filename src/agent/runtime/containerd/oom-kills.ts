import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Whether the kernel's OOM killer killed a process in the container's cgroup, read from
 * the cgroup the container ran in (it stays until the task is deleted):
 * `memory.events` under cgroup v2, `memory/…/memory.oom_control` under v1, both with an
 * `oom_kill N` line. Undefined when neither can be read (another kind of runtime, a
 * kernel without the counter, the cgroup already gone).
 */
export async function oomKilled(cgroupsPath: string, root = '/sys/fs/cgroup'): Promise<boolean | undefined> {
  const relative = cgroupsPath.replace(/^\/+/, '');
  for (const file of [join(root, relative, 'memory.events'), join(root, 'memory', relative, 'memory.oom_control')]) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    const count = text === undefined ? undefined : /^oom_kill (\d+)$/m.exec(text)?.[1];
    if (count !== undefined) return Number(count) > 0;
  }
  return undefined;
}
