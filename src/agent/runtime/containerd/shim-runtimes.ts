import { readdir } from 'node:fs/promises';

const SHIM_RE = /^containerd-shim-(.+)-(v\d+)$/;

/**
 * The containerd runtime names whose shim binaries lie in `dirs`, in the order found:
 * `containerd-shim-runc-v2` → `io.containerd.runc.v2`, `containerd-shim-kata-qemu-v2`
 * → `io.containerd.kata-qemu.v2` (containerd derives the binary name the same way).
 */
export async function shimRuntimes(dirs: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const dir of dirs) {
    for (const entry of await readdir(dir).catch(() => [] as string[])) {
      const m = SHIM_RE.exec(entry);
      const name = m ? `io.containerd.${m[1]}.${m[2]}` : undefined;
      if (name && !found.includes(name)) found.push(name);
    }
  }
  return found;
}
