import { readdir, readFile, readlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The pid of the process listening on the unix socket `socket`: the socket's inode
 * from /proc/net/unix, then the process holding a descriptor to that inode (processes
 * named containerd are looked at first). Undefined when it cannot be found (another
 * pid namespace, no permission).
 */
export async function socketOwnerPid(socket: string): Promise<number | undefined> {
  const table = await readFile('/proc/net/unix', 'utf8').catch(() => '');
  const inodes = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // Num RefCount Protocol Flags Type St Inode Path
    if (fields.length >= 8 && fields[7] === socket) inodes.add(fields[6]!);
  }
  if (inodes.size === 0) return undefined;
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((e) => /^\d+$/.test(e));
  const named: string[] = [];
  const others: string[] = [];
  for (const pid of pids) {
    const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
    (comm === 'containerd' ? named : others).push(pid);
  }
  for (const pid of [...named, ...others]) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1]!)) return Number(pid);
    }
  }
  return undefined;
}

/** What a running process's environment and executable say about where it finds binaries. */
export interface ProcessSearchPath {
  /** Its PATH entries, in order ([] when PATH is unset). */
  readonly path: readonly string[];
  /** The directory of its own executable, when readable. */
  readonly exeDir?: string;
}

/** Reads `/proc/<pid>/environ` and `/proc/<pid>/exe`; undefined when the process is unreadable. */
export async function processSearchPath(pid: number): Promise<ProcessSearchPath | undefined> {
  const environ = await readFile(`/proc/${pid}/environ`).catch(() => undefined);
  if (!environ) return undefined;
  const entry = environ
    .toString('utf8')
    .split('\0')
    .find((e) => e.startsWith('PATH='));
  const path = entry ? entry.slice(5).split(':').filter(Boolean) : [];
  const exe = await readlink(`/proc/${pid}/exe`).catch(() => undefined);
  return { path, ...(exe ? { exeDir: dirname(exe.replace(/ \(deleted\)$/, '')) } : {}) };
}
