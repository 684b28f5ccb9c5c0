import { readFile } from 'node:fs/promises';
import type { ExecResult } from '../driver.js';
import type { Mount, TaskProcess } from './api-types.js';
import type { ContainerdConnection } from './containerd-connection.js';
import { isAlreadyExists, isAlreadyFinished, isNotFound } from './grpc-status.js';
import type { OciProcess } from './oci-spec.js';
import { settleOutput, type OutputFiles, type TaskFiles } from './task-files.js';

const PROCESS_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Process';
const SIGTERM = 15;
const SIGKILL = 9;
const KILL_WAIT_MS = 10_000;
const NO_TASK_POLL_MS = 100;

/**
 * A container's task (its process under the runtime's shim) through containerd's
 * Tasks service: create and start with file stdio, exec, wait, stop and delete. A task
 * is kept after it exits (its exit code stays readable) until the container is removed.
 */
export class TaskControl {
  private readonly conn: ContainerdConnection;
  private readonly files: TaskFiles;

  constructor(conn: ContainerdConnection, files: TaskFiles) {
    this.conn = conn;
    this.files = files;
  }

  /** The container's task, or undefined when it has none (never started, or removed). */
  async get(id: string): Promise<TaskProcess | undefined> {
    try {
      return (await this.conn.call('tasks.Get', { containerId: id })).process;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Creates the task on `rootfs` with stdout and stderr appended to `files`, and starts
   * it. A running task is left alone; an exited one is replaced (a restart).
   */
  async start(id: string, rootfs: readonly Mount[], files: OutputFiles): Promise<void> {
    const request = { containerId: id, rootfs, stdout: files.stdout, stderr: files.stderr, terminal: false };
    try {
      await this.conn.call('tasks.Create', request);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const task = await this.get(id);
      if (task && (task.status === 'RUNNING' || task.status === 'PAUSED' || task.status === 'PAUSING')) return;
      if (task?.status === 'STOPPED') {
        await this.delete(id);
        await this.conn.call('tasks.Create', request);
      }
    }
    // Taken before the call: a short-lived process can exit before Start returns.
    const startedAt = new Date();
    await this.conn.call('tasks.Start', { containerId: id });
    await this.files.markStarted(id, startedAt);
  }

  /**
   * Resolves with the exit code once the task has exited and its output has reached
   * the log files. A container that has not been started yet is waited for; one that
   * does not exist rejects.
   */
  async waitExit(id: string, signal?: AbortSignal): Promise<number> {
    for (;;) {
      try {
        const { exitStatus } = await this.conn.call('tasks.Wait', { containerId: id }, { timeoutMs: Infinity, ...(signal ? { signal } : {}) });
        await settleOutput(this.files.logs(id));
        return exitStatus;
      } catch (err) {
        if (signal?.aborted || !isNotFound(err)) throw err;
      }
      await this.conn.call('containers.Get', { id });
      await new Promise((resolve) => setTimeout(resolve, NO_TASK_POLL_MS));
    }
  }

  /** SIGTERM, then SIGKILL to every process after `graceMs`; stopped or absent is success. */
  async stop(id: string, graceMs: number): Promise<void> {
    const task = await this.get(id);
    if (!task || task.status === 'STOPPED') return;
    const exited = this.exitOf(id);
    if (task.status !== 'CREATED') {
      await this.signal(id, SIGTERM, false);
      if (await within(exited, graceMs)) return;
    }
    await this.signal(id, SIGKILL, true);
    if (!(await within(exited, KILL_WAIT_MS))) throw new Error(`task did not exit within ${KILL_WAIT_MS} ms of SIGKILL`);
  }

  /** SIGKILL to every process of a task that has not exited, and waits for the exit. */
  async kill(id: string): Promise<void> {
    const task = await this.get(id);
    if (!task || task.status === 'STOPPED') return;
    const exited = this.exitOf(id);
    await this.signal(id, SIGKILL, true);
    if (!(await within(exited, KILL_WAIT_MS))) throw new Error(`task did not exit within ${KILL_WAIT_MS} ms of SIGKILL`);
  }

  /** Deletes the task (it must have exited); absent is success. */
  async delete(id: string): Promise<void> {
    try {
      await this.conn.call('tasks.Delete', { containerId: id });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * Runs `argv` in the running task as `process` describes (user, env, cwd, limits),
   * collecting stdout and stderr through files. Past `timeoutMs` the process is killed
   * and the call rejects.
   */
  async exec(id: string, process: OciProcess, argv: readonly string[], timeoutMs: number, execId: string): Promise<ExecResult> {
    const files = await this.files.prepareExec(id, execId);
    try {
      const spec = { type_url: PROCESS_TYPE_URL, value: Buffer.from(JSON.stringify({ ...process, args: argv, terminal: false })) };
      await this.conn.call('tasks.Exec', { containerId: id, execId, stdout: files.stdout, stderr: files.stderr, terminal: false, spec });
      let exitCode: number;
      try {
        await this.conn.call('tasks.Start', { containerId: id, execId });
        // The timeout is our own timer, not a gRPC deadline: containerd can notice the
        // deadline first and answer UNKNOWN "context deadline exceeded".
        const expiry = AbortSignal.timeout(timeoutMs);
        try {
          exitCode = (await this.conn.call('tasks.Wait', { containerId: id, execId }, { timeoutMs: Infinity, signal: expiry })).exitStatus;
        } catch (err) {
          if (!expiry.aborted) throw err;
          await this.conn.call('tasks.Kill', { containerId: id, execId, signal: SIGKILL }).catch(() => undefined);
          // containerd refuses to delete a process that still runs: let the kill land first.
          await this.conn.call('tasks.Wait', { containerId: id, execId }, { timeoutMs: 5_000 }).catch(() => undefined);
          throw new Error(`exec ${JSON.stringify(argv)} did not finish within ${timeoutMs} ms and was killed`);
        }
      } finally {
        // Deleting the process also waits for the shim to finish copying its output.
        await this.conn.call('tasks.DeleteProcess', { containerId: id, execId }).catch(() => undefined);
      }
      const [stdout, stderr] = await Promise.all([readFile(files.stdout, 'utf8'), readFile(files.stderr, 'utf8')]);
      return { exitCode, stdout, stderr };
    } finally {
      await this.files.removeFiles(files);
    }
  }

  private async signal(id: string, signal: number, all: boolean): Promise<void> {
    try {
      await this.conn.call('tasks.Kill', { containerId: id, signal, all });
    } catch (err) {
      if (!isAlreadyFinished(err)) throw err;
    }
  }

  /** Resolves when the task exits (or is already gone); never rejects. */
  private exitOf(id: string): Promise<void> {
    return this.conn.call('tasks.Wait', { containerId: id }, { timeoutMs: Infinity }).then(
      () => undefined,
      () => undefined,
    );
  }
}

async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
