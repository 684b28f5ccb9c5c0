import { execFile } from 'node:child_process';
import { access, readdir, readFile } from 'node:fs/promises';
import type { ContainerdFacts, DaemonAnswer } from './host-view.js';

/**
 * A STAND-IN for the containerd facts function that the containerd driver provides
 * (`src/agent/runtime/containerd/facts.ts`), used only by this folder's live tests so
 * they need not import another part's code. It asks the live daemon through the `ctr`
 * CLI (`ctr version`, `ctr plugins ls -d`) and reads the daemon's PATH from
 * `/proc/PID/environ`. Not for production use: the agent injects the real function.
 */
export async function askContainerdWithCtr(socket: string): Promise<DaemonAnswer<ContainerdFacts>> {
  if (!(await access(socket).then(() => true, () => false))) return { ok: false, socket, error: 'not found' };
  const version = await ctr(socket, ['version']);
  if (!version.ok) return { ok: false, socket, error: version.error };
  const serverVersion = /Server:[\s\S]*?Version:\s*(\S+)/.exec(version.stdout)?.[1];
  if (!serverVersion) return { ok: false, socket, error: 'ctr version did not show a server version' };
  const plugins = await ctr(socket, ['plugins', 'ls', '-d']);
  if (!plugins.ok) return { ok: false, socket, error: plugins.error };
  const daemonPath = await containerdPath(socket);
  return { ok: true, facts: { socket, version: serverVersion, plugins: parsePlugins(plugins.stdout), ...(daemonPath && { daemonPath }) } };
}

function ctr(socket: string, args: string[]): Promise<{ ok: true; stdout: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    execFile('ctr', ['--address', socket, ...args], { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) resolve({ ok: false, error: (stderr.trim() || error.message).split('\n')[0] ?? 'ctr failed' });
      else resolve({ ok: true, stdout });
    });
  });
}

/** Reads `ctr plugins ls -d` blocks: `Type:`, `ID:` and, for a failed init, `Error: ... Message:`. */
function parsePlugins(text: string): Array<{ type: string; id: string; error?: string }> {
  return text
    .split(/\n(?=Type:)/)
    .map((block) => {
      const type = /^Type:\s*(\S+)/m.exec(block)?.[1];
      const id = /^ID:\s*(\S+)/m.exec(block)?.[1];
      const error = /^\s*Message:\s*(.+)$/m.exec(block)?.[1]?.trim();
      return type && id ? { type, id, ...(error && { error }) } : undefined;
    })
    .filter((p): p is { type: string; id: string; error?: string } => p !== undefined);
}

/** The PATH of the running containerd serving `socket`, from /proc; undefined when it cannot be found. */
async function containerdPath(socket: string): Promise<string[] | undefined> {
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
    if (comm !== 'containerd') continue;
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const at = argv.findIndex((a) => a === '--address' || a === '-a');
    const address = at >= 0 ? argv[at + 1] : undefined;
    if (address !== undefined && address !== socket) continue;
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    const path = environ.split('\0').find((e) => e.startsWith('PATH='));
    if (path) return path.slice(5).split(':').filter(Boolean);
  }
  return undefined;
}
