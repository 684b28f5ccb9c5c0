import type { VmmBackend } from '../../api/isolation.js';
import type { HostView } from './host-view.js';
import { parseToml, tomlTableAt } from './toml-subset.js';

/** Where Kata Containers looks for its configuration, most specific first. */
export const KATA_CONFIG_DIRS = [
  '/etc/kata-containers',
  '/opt/kata/share/defaults/kata-containers',
  '/usr/share/defaults/kata-containers',
] as const;

/** The configuration file each backend ships with, and its hypervisor section. */
export const KATA_BACKEND_CONFIG: Readonly<Record<VmmBackend, { readonly file: string; readonly section: string }>> = {
  qemu: { file: 'configuration-qemu.toml', section: 'qemu' },
  firecracker: { file: 'configuration-fc.toml', section: 'firecracker' },
};

/** What a Kata config names for its hypervisor (`[hypervisor.<backend>]`). */
export interface KataConfig {
  readonly path: string;
  readonly backend: VmmBackend;
  /** `path`: the hypervisor binary. */
  readonly hypervisor?: string;
  readonly kernel?: string;
  readonly image?: string;
  readonly initrd?: string;
}

/** The config that was found and read, or a detail saying why there is no usable one. */
export type KataConfigLookup = { readonly ok: true; readonly config: KataConfig } | { readonly ok: false; readonly detail: string };

/**
 * Finds and reads the Kata config for `backend`. With `explicitPath` only that file
 * counts. Otherwise the backend's own file (`configuration-qemu.toml`,
 * `configuration-fc.toml`) in {@link KATA_CONFIG_DIRS} order, then the generic
 * `configuration.toml` when it holds the backend's hypervisor section. The first file
 * that exists decides: an unreadable or corrupt one is a failure, never skipped for a
 * later one (field case 11).
 */
export async function findKataConfig(view: HostView, backend: VmmBackend, explicitPath?: string): Promise<KataConfigLookup> {
  const { file } = KATA_BACKEND_CONFIG[backend];
  const own = explicitPath ? [explicitPath] : KATA_CONFIG_DIRS.map((d) => `${d}/${file}`);
  for (const path of own) {
    if (await view.exists(path)) return readKataConfig(view, path, backend);
  }
  if (!explicitPath) {
    for (const path of KATA_CONFIG_DIRS.map((d) => `${d}/configuration.toml`)) {
      if (await view.exists(path)) return readKataConfig(view, path, backend);
    }
  }
  const looked = explicitPath ? explicitPath : `${file} (or configuration.toml) in ${KATA_CONFIG_DIRS.join(', ')}`;
  return { ok: false, detail: `no Kata config for ${backend}: looked for ${looked}` };
}

async function readKataConfig(view: HostView, path: string, backend: VmmBackend): Promise<KataConfigLookup> {
  const text = await view.readFile(path);
  if (text === undefined) return { ok: false, detail: `kata config ${path}: present but unreadable` };
  const parsed = parseToml(text);
  if (!parsed.ok) return { ok: false, detail: `kata config ${path}: not valid TOML (${parsed.error})` };
  const { section } = KATA_BACKEND_CONFIG[backend];
  const table = tomlTableAt(parsed.value, ['hypervisor', section]);
  if (!table) {
    const others = Object.keys(tomlTableAt(parsed.value, ['hypervisor']) ?? {});
    const has = others.length ? `; it configures ${others.map((o) => `[hypervisor.${o}]`).join(', ')}` : '';
    return { ok: false, detail: `kata config ${path}: has no [hypervisor.${section}] section${has}` };
  }
  const fields: Record<string, string> = {};
  for (const key of ['path', 'kernel', 'image', 'initrd'] as const) {
    const value = table[key];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') return { ok: false, detail: `kata config ${path}: [hypervisor.${section}] ${key} is not a string` };
    fields[key] = value;
  }
  return {
    ok: true,
    config: { path, backend, hypervisor: fields.path, kernel: fields.kernel, image: fields.image, initrd: fields.initrd },
  };
}
