import type { ContainerdFacts, DaemonAnswer, DockerFacts, HostBasics, HostView } from './host-view.js';

/**
 * Wraps a view so that one probe asks each daemon, and reads the host basics, at most
 * once: every check of one run then sees the same answer. Files are read through.
 */
export function memoizeView(view: HostView): HostView {
  let docker: Promise<DaemonAnswer<DockerFacts>> | undefined;
  let containerd: Promise<DaemonAnswer<ContainerdFacts>> | undefined;
  let basics: Promise<HostBasics> | undefined;
  return {
    readFile: (p) => view.readFile(p),
    exists: (p) => view.exists(p),
    list: (d) => view.list(d),
    readLink: (p) => view.readLink(p),
    canReadWrite: (p) => view.canReadWrite(p),
    findExecutable: (n, s) => view.findExecutable(n, s),
    run: (f, a, t) => view.run(f, a, t),
    docker: () => (docker ??= view.docker()),
    containerd: () => (containerd ??= view.containerd()),
    basics: () => (basics ??= view.basics()),
  };
}
