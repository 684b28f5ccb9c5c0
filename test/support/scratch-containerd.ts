import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerdConnection } from '../../src/agent/runtime/containerd/containerd-connection.js';
import { runProgram } from '../../src/agent/runtime/containerd/run-program.js';

/** How to start a scratch containerd. */
export interface ScratchContainerdOptions {
  /**
   * Extra binaries on the daemon's PATH: file name → what it links to. Field case 7
   * names `containerd-shim-kata-qemu-v2` a link to the real `containerd-shim-runc-v2`.
   */
  readonly binaries?: Readonly<Record<string, string>>;
  /** The containerd binary (default: `containerd` found on this process's PATH). */
  readonly containerd?: string;
  /** How long to wait for the daemon to answer (default 20 s). */
  readonly startTimeoutMs?: number;
}

/** A running scratch containerd. */
export interface ScratchContainerd {
  /** Its gRPC socket. */
  readonly socket: string;
  /** Its temp dir (root, state, config, log, bin). */
  readonly dir: string;
  /** The directory put first on its PATH, holding the extra binaries. */
  readonly binDir: string;
  /** The PATH it runs with. */
  readonly path: readonly string[];
  readonly pid: number;
  /** Stops the daemon, ends the shims it started, unmounts and deletes its temp dir. */
  stop(): Promise<void>;
}

const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * Starts a containerd of its own for one test: own root, state, sockets and config in
 * a temp dir, the CRI plugin off, and a PATH that starts with a bin dir holding
 * `binaries`. It shares nothing with the system containerd but the kernel (its shims
 * use cgroups and `/run/containerd/s` sockets named after its own address). Resolves
 * once the daemon answers a Version call.
 */
export async function startScratchContainerd(options: ScratchContainerdOptions = {}): Promise<ScratchContainerd> {
  const dir = await mkdtemp(join(tmpdir(), 'idyl-ctrd-'));
  const binDir = join(dir, 'bin');
  const socket = join(dir, 'containerd.sock');
  const config = join(dir, 'config.toml');
  try {
    await mkdir(binDir);
    for (const [name, target] of Object.entries(options.binaries ?? {})) await symlink(target, join(binDir, name));
    await writeConfig(dir, socket, config);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const path = [binDir, ...SYSTEM_PATH];
  const log = openSync(join(dir, 'containerd.log'), 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.containerd ?? 'containerd', ['--config', config], {
      env: { PATH: path.join(':') },
      stdio: ['ignore', log, log],
      detached: true,
    });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    await endShims(socket);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForAnswer(socket, child, options.startTimeoutMs ?? 20_000, join(dir, 'containerd.log'));
  } catch (err) {
    await stop();
    throw err;
  }
  return { socket, dir, binDir, path, pid: child.pid ?? 0, stop };
}

async function writeConfig(dir: string, socket: string, config: string): Promise<void> {
  await writeFile(
    config,
    [
      'version = 2',
      `root = "${join(dir, 'root')}"`,
      `state = "${join(dir, 'state')}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${socket}"`,
      '[ttrpc]',
      `  address = "${socket}.ttrpc"`,
      '[debug]',
      `  address = "${join(dir, 'debug.sock')}"`,
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${join(dir, 'opt')}"`,
      '',
    ].join('\n'),
  );
}

async function waitForAnswer(socket: string, child: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`scratch containerd exited: ${(await readFile(logFile, 'utf8').catch(() => '')).slice(-2000)}`);
    }
    const conn = new ContainerdConnection(socket, 'idyl');
    try {
      await conn.call('version.Version', {}, { timeoutMs: 1000 });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`scratch containerd did not answer on ${socket} within ${timeoutMs} ms`);
    } finally {
      conn.close();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Shims outlive their daemon by design; the ones this daemon started name its socket.
// A test that failed half-way may leave containers: their processes go first.
async function endShims(socket: string): Promise<void> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((p) => /^\d+$/.test(p));
  const shims = new Set<string>();
  const parents = new Map<string, string>();
  for (const pid of pids) {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const exe = await readlink(`/proc/${pid}/exe`).catch(() => '');
    const address = cmdline.indexOf('-address');
    if (address >= 0 && cmdline[address + 1] === socket && /containerd-shim/.test(exe + cmdline[0])) shims.add(pid);
    const ppid = /^PPid:\s+(\d+)$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''))?.[1];
    if (ppid) parents.set(pid, ppid);
  }
  const children = [...parents].filter(([, ppid]) => shims.has(ppid)).map(([pid]) => pid);
  for (const pid of [...children, ...shims]) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

// Rootfs and snapshot mounts left by a test that failed half-way.
async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''))
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) await runProgram('umount', ['-l', point], 10_000);
}
