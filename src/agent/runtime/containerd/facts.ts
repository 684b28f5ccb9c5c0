import { access } from 'node:fs/promises';
import type { ContainerdFacts, DaemonAnswer } from '../../host/host-view.js';
import { ContainerdConnection } from './containerd-connection.js';
import { processSearchPath, socketOwnerPid } from './daemon-process.js';
import { errorText } from './grpc-status.js';

const ASK_TIMEOUT_MS = 5000;

/**
 * What the containerd listening on `socket` says about itself, asked live: its version,
 * every plugin it knows with the init error of those that failed to load (e.g.
 * devmapper without a configured pool), and `daemonPath`: where that daemon looks up
 * shim binaries, i.e. the PATH in its `/proc/<pid>/environ` followed by the directory
 * of its own executable (containerd also looks beside itself). `daemonPath` is absent
 * when the daemon's process cannot be found or read. Never throws: an unreachable
 * daemon is `{ ok: false, error }`.
 */
export async function askContainerd(socket: string): Promise<DaemonAnswer<ContainerdFacts>> {
  if (!(await access(socket).then(() => true, () => false))) {
    return { ok: false, error: `containerd socket ${socket} does not exist` };
  }
  const conn = new ContainerdConnection(socket, 'idyl');
  try {
    const [version, plugins] = await Promise.all([
      conn.call('version.Version', {}, { timeoutMs: ASK_TIMEOUT_MS }),
      conn.call('introspection.Plugins', {}, { timeoutMs: ASK_TIMEOUT_MS }),
    ]);
    const daemonPath = await daemonSearchPath(socket);
    return {
      ok: true,
      facts: {
        socket,
        version: version.version,
        plugins: plugins.plugins.map((p) => ({
          type: p.type,
          id: p.id,
          ...(p.initErr && (p.initErr.code !== 0 || p.initErr.message) ? { error: p.initErr.message || `code ${p.initErr.code}` } : {}),
        })),
        ...(daemonPath ? { daemonPath } : {}),
      },
    };
  } catch (err) {
    return { ok: false, error: `containerd at ${socket} did not answer: ${errorText(err)}` };
  } finally {
    conn.close();
  }
}

/** Where the daemon on `socket` looks up shims: its PATH, then its executable's directory. */
export async function daemonSearchPath(socket: string): Promise<string[] | undefined> {
  const pid = await socketOwnerPid(socket);
  const found = pid === undefined ? undefined : await processSearchPath(pid);
  if (!found) return undefined;
  return found.exeDir && !found.path.includes(found.exeDir) ? [...found.path, found.exeDir] : [...found.path];
}
