import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, lstat, open, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { availableParallelism, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { CONTAINERD_SOCKET } from './containerd-checks.js';
import { askDockerEngine } from './docker-engine-facts.js';
import { DOCKER_SOCKET } from './docker-checks.js';
import type { ContainerdFacts, DaemonAnswer, DockerFacts, HostBasics, HostView, RunResult } from './host-view.js';

/** Asks a live containerd at a socket (written in the containerd driver; passed in here). */
export type AskContainerd = (socket: string) => Promise<DaemonAnswer<ContainerdFacts>>;

/** How the live view reaches this host's daemons and programs. */
export interface LiveHostViewOptions {
  readonly askContainerd: AskContainerd;
  /** Default `/var/run/docker.sock`. */
  readonly dockerSocket?: string;
  /** Default `/run/containerd/containerd.sock`. */
  readonly containerdSocket?: string;
  /** This process's PATH, where programs are looked up; default: `PATH` of the environment at construction. */
  readonly searchPath?: readonly string[];
  /** Limit for one Docker API request; default 5 s. */
  readonly daemonTimeoutMs?: number;
}

const OUTPUT_LIMIT = 4 * 1024 * 1024;

/**
 * The real host: the live filesystem, programs on the PATH, /proc, and the live
 * daemons (Docker over its API socket; containerd through the injected `askContainerd`).
 * Methods report what they cannot read as undefined/false/[]; they do not throw for a
 * missing or unreadable path.
 */
export class LiveHostView implements HostView {
  private readonly askContainerd: AskContainerd;
  private readonly dockerSocket: string;
  private readonly containerdSocket: string;
  private readonly searchPath: readonly string[];
  private readonly daemonTimeoutMs: number;

  constructor(options: LiveHostViewOptions) {
    this.askContainerd = options.askContainerd;
    this.dockerSocket = options.dockerSocket ?? DOCKER_SOCKET;
    this.containerdSocket = options.containerdSocket ?? CONTAINERD_SOCKET;
    this.searchPath = options.searchPath ?? (process.env.PATH ?? '').split(':').filter(Boolean);
    this.daemonTimeoutMs = options.daemonTimeoutMs ?? 5000;
  }

  async readFile(path: string): Promise<string | undefined> {
    return readFile(path, 'utf8').catch(() => undefined);
  }

  async exists(path: string): Promise<boolean> {
    // lstat: a link counts as there even when its target is not (any kind, as the contract says).
    return lstat(path).then(
      () => true,
      () => false,
    );
  }

  async list(dir: string): Promise<string[]> {
    return readdir(dir).catch(() => []);
  }

  async readLink(path: string): Promise<string | undefined> {
    return readlink(path).catch(() => undefined);
  }

  async canReadWrite(path: string): Promise<boolean> {
    // Opening is the only honest answer: root passes access(2), yet a device cgroup can still refuse the open.
    try {
      const handle = await open(path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
      await handle.close();
      return true;
    } catch {
      return false;
    }
  }

  async findExecutable(name: string, searchPath?: readonly string[]): Promise<string | undefined> {
    if (name.includes('/')) return (await isExecutableFile(name)) ? name : undefined;
    for (const dir of searchPath ?? this.searchPath) {
      const candidate = join(dir, name);
      if (await isExecutableFile(candidate)) return candidate;
    }
    return undefined;
  }

  run(file: string, args: readonly string[], timeoutMs: number): Promise<RunResult | undefined> {
    return new Promise((resolve) => {
      const env = { ...process.env, PATH: this.searchPath.join(':'), LC_ALL: 'C' };
      execFile(file, [...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: OUTPUT_LIMIT, env }, (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr });
        const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: unknown };
        if (e.code === 'ENOENT' || e.code === 'EACCES') return resolve(undefined);
        const timedOut = e.killed === true && e.signal === 'SIGKILL';
        resolve({ code: typeof e.code === 'number' ? e.code : -1, stdout, stderr, ...(timedOut && { timedOut }) });
      });
    });
  }

  docker(): Promise<DaemonAnswer<DockerFacts>> {
    return askDockerEngine(this.dockerSocket, this.daemonTimeoutMs);
  }

  async containerd(): Promise<DaemonAnswer<ContainerdFacts>> {
    const socket = this.containerdSocket;
    try {
      const answer = await this.askContainerd(socket);
      return answer.ok || answer.socket ? answer : { ...answer, socket };
    } catch (e) {
      // A daemon that cannot be asked is a failed check on the host, not a crashed probe.
      return { ok: false, socket, error: e instanceof Error ? e.message : String(e) };
    }
  }

  async basics(): Promise<HostBasics> {
    const cpuinfo = (await this.readFile('/proc/cpuinfo')) ?? '';
    const processors = cpuinfo.split('\n').filter((l) => /^processor\s*:/.test(l)).length;
    const meminfo = /^MemTotal:\s+(\d+)\s*kB/m.exec((await this.readFile('/proc/meminfo')) ?? '');
    return {
      arch: process.arch === 'x64' ? 'amd64' : process.arch,
      kernel: release(),
      cpuCount: processors || availableParallelism(),
      memoryBytes: meminfo ? Number(meminfo[1]) * 1024 : totalmem(),
      ...(typeof process.getuid === 'function' && { uid: process.getuid() }),
    };
  }
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
