import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The two output files of one process. */
export interface OutputFiles {
  readonly stdout: string;
  readonly stderr: string;
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * The driver's per-container files under its state directory:
 * `<stateDir>/<namespace>/<id>/` holds `stdout.log`, `stderr.log`, `started-at` and,
 * briefly, the output files of execs. The shim appends to these files itself (a plain
 * path that is not a FIFO is opened for append), which keeps stdout and stderr apart.
 */
export class TaskFiles {
  private readonly root: string;

  constructor(stateDir: string, namespace: string) {
    this.root = join(stateDir, namespace);
  }

  /** The directory of container `id`. Throws on an id that could escape the state dir. */
  dir(id: string): string {
    if (!SAFE_ID.test(id)) throw new Error(`unsafe container id ${JSON.stringify(id)}`);
    return join(this.root, id);
  }

  /** The log files of container `id` (they may not exist yet). */
  logs(id: string): OutputFiles {
    return { stdout: join(this.dir(id), 'stdout.log'), stderr: join(this.dir(id), 'stderr.log') };
  }

  /** Creates the log files (kept when they exist: a restart appends) and returns them. */
  async prepareLogs(id: string): Promise<OutputFiles> {
    const files = this.logs(id);
    await mkdir(this.dir(id), { recursive: true, mode: 0o700 });
    await Promise.all([touch(files.stdout), touch(files.stderr)]);
    return files;
  }

  /** Creates fresh output files for one exec. */
  async prepareExec(id: string, execId: string): Promise<OutputFiles> {
    const files = { stdout: join(this.dir(id), `exec-${execId}.out`), stderr: join(this.dir(id), `exec-${execId}.err`) };
    await mkdir(this.dir(id), { recursive: true, mode: 0o700 });
    await Promise.all([writeFile(files.stdout, ''), writeFile(files.stderr, '')]);
    return files;
  }

  /** Records when the task was started. */
  async markStarted(id: string, at: Date): Promise<void> {
    await writeFile(join(this.dir(id), 'started-at'), at.toISOString());
  }

  /** When the task was last started, if recorded. */
  async startedAt(id: string): Promise<string | undefined> {
    return readFile(join(this.dir(id), 'started-at'), 'utf8').catch(() => undefined);
  }

  /** Removes every file of container `id`; absent is fine. */
  async remove(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }

  /** Removes the given files; absent is fine. */
  async removeFiles(files: OutputFiles): Promise<void> {
    await Promise.all([rm(files.stdout, { force: true }), rm(files.stderr, { force: true })]);
  }
}

/**
 * Resolves once the files have stopped growing: the shim copies a process's output
 * through a pipe, so the last bytes can land just after containerd reports the exit.
 */
export async function settleOutput(files: OutputFiles, quietMs = 20, maxMs = 1000): Promise<void> {
  const sizes = async (): Promise<string> =>
    (await Promise.all([files.stdout, files.stderr].map((f) => stat(f).then((s) => s.size, () => -1)))).join(',');
  const deadline = Date.now() + maxMs;
  let before = await sizes();
  let quiet = 0;
  while (quiet < 2 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = await sizes();
    quiet = now === before ? quiet + 1 : 0;
    before = now;
  }
}

async function touch(path: string): Promise<void> {
  const handle = await open(path, 'a', 0o600);
  await handle.close();
}
