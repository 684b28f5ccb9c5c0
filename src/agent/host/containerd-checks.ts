import type { HostCheck } from '../../api/node.js';
import { CHECK } from './check-names.js';
import type { ContainerdFacts, DaemonAnswer, HostView } from './host-view.js';

/** The default containerd API socket. */
export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';

const NOT_REACHABLE = 'not checked: containerd is not reachable (see containerd.engine)';

/** `containerd.engine`: the live containerd answered, with its version. */
export function containerdEngineCheck(answer: DaemonAnswer<ContainerdFacts>): HostCheck {
  if (!answer.ok) {
    return { name: CHECK.containerdEngine, ok: false, detail: `containerd socket ${answer.socket ?? CONTAINERD_SOCKET}: ${answer.error}` };
  }
  const { socket, version } = answer.facts;
  return { name: CHECK.containerdEngine, ok: true, detail: `containerd at ${socket}: reachable, version ${version}` };
}

/**
 * A check that the live containerd loaded plugin `type`.`id` without an init error.
 * `purpose` opens the detail (e.g. "block-device snapshotter for Firecracker").
 */
export function containerdPluginCheck(
  answer: DaemonAnswer<ContainerdFacts>,
  name: string,
  type: string,
  id: string,
  purpose: string,
): HostCheck {
  if (!answer.ok) return { name, ok: false, detail: NOT_REACHABLE };
  const plugin = answer.facts.plugins.find((p) => p.type === type && p.id === id);
  const full = `${type}.${id}`;
  if (!plugin) return { name, ok: false, detail: `${purpose}: containerd did not load plugin ${full} (not built in, or disabled in its config)` };
  if (plugin.error) return { name, ok: false, detail: `${purpose}: containerd plugin ${full} failed to load: ${plugin.error}` };
  return { name, ok: true, detail: `${purpose}: containerd loaded plugin ${full}` };
}

/** The PATH containerd looks shims up on, and words for details. Falls back to this process's PATH. */
export function shimSearchPath(answer: DaemonAnswer<ContainerdFacts>): { readonly path?: readonly string[]; readonly where: string; readonly full: string } {
  const path = answer.ok ? answer.facts.daemonPath : undefined;
  if (path) return { path, where: "containerd's PATH", full: `containerd's PATH (${path.join(':')})` };
  const where = "this agent's PATH (containerd's own PATH is unknown)";
  return { where, full: where };
}

/**
 * A check that one of `binaries` is on containerd's PATH. The first found wins;
 * `describe` may add words about which one it was.
 */
export async function binaryOnDaemonPathCheck(
  view: HostView,
  answer: DaemonAnswer<ContainerdFacts>,
  name: string,
  binaries: readonly string[],
  describe: (binary: string) => string = () => '',
): Promise<HostCheck> {
  const { path, where, full } = shimSearchPath(answer);
  for (const binary of binaries) {
    const found = await view.findExecutable(binary, path);
    if (found) return { name, ok: true, detail: `${binary} found at ${found} on ${where}${describe(binary)}` };
  }
  return { name, ok: false, detail: `${binaries.join(' or ')}: not found on ${full}` };
}

/** The checks every containerd profile shares: `containerd.engine`, `containerd.plugin.task`. */
export function containerdBaseChecks(answer: DaemonAnswer<ContainerdFacts>): HostCheck[] {
  return [
    containerdEngineCheck(answer),
    containerdPluginCheck(answer, CHECK.containerdTask, 'io.containerd.runtime.v2', 'task', 'runtime v2 task service'),
  ];
}

/** The `containerd-runc` checks after the base ones: overlayfs, the runc shim, the runc binary. */
export async function runcChecks(view: HostView, answer: DaemonAnswer<ContainerdFacts>): Promise<HostCheck[]> {
  return [
    containerdPluginCheck(answer, CHECK.containerdOverlayfs, 'io.containerd.snapshotter.v1', 'overlayfs', 'overlayfs snapshotter'),
    await binaryOnDaemonPathCheck(view, answer, CHECK.runcShim, ['containerd-shim-runc-v2']),
    await binaryOnDaemonPathCheck(view, answer, CHECK.runcBinary, ['runc']),
  ];
}
