import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerdFacts, DaemonAnswer, DockerFacts, HostBasics, HostView, RunResult } from './host-view.js';

/**
 * A fixture host's `host.json`: what a file tree cannot hold. Every field is optional
 * except where a base does not supply it; a fixture with `base` takes the base's
 * fields and files, and its own win.
 */
export interface FixtureHostSpec {
  /** Another fixture folder (relative to this one) whose files and fields this one starts from. */
  readonly base?: string;
  readonly basics?: HostBasics;
  /** This process's PATH. */
  readonly path?: readonly string[];
  /** Paths this process may open read/write (they must also exist). */
  readonly readWrite?: readonly string[];
  /** Paths that exist but cannot be read. */
  readonly unreadable?: readonly string[];
  /** Paths of the base that this host does not have. */
  readonly absent?: readonly string[];
  /** Symbolic links: path → target as `readlink` returns it (e.g. a PCI device's `driver`). */
  readonly links?: Readonly<Record<string, string>>;
  /** The live Docker Engine's answer; absent = its socket is not there. */
  readonly docker?: DaemonAnswer<DockerFacts>;
  /** The live containerd's answer; absent = its socket is not there. */
  readonly containerd?: DaemonAnswer<ContainerdFacts>;
  /** Canned program results, keyed by program name and arguments joined by spaces. */
  readonly programs?: Readonly<Record<string, RunResult>>;
}

interface Layer {
  readonly root: string;
  readonly spec: FixtureHostSpec;
}

/**
 * A FAKE host for tests: reads a fixture host layout from `folder` (absolute host paths
 * map into the folder: `/dev/kvm` is `<folder>/dev/kvm`) plus its `host.json`
 * ({@link FixtureHostSpec}). Programs are "found" when a file of that name sits in a
 * PATH directory of the tree; `run` answers only with canned results.
 */
export class FixtureHostView implements HostView {
  private readonly layers: readonly Layer[];
  private readonly spec: FixtureHostSpec;

  /** The fixture host `name` from the repository's `test/fixtures/hosts/`. */
  static named(name: string): FixtureHostView {
    return new FixtureHostView(join(fixtureHostsDir(), name));
  }

  constructor(folder: string) {
    const layers: Layer[] = [];
    let root: string | undefined = resolve(folder);
    while (root !== undefined) {
      const spec = JSON.parse(readFileSync(join(root, 'host.json'), 'utf8')) as FixtureHostSpec;
      layers.push({ root, spec });
      if (layers.length > 8) throw new Error(`fixture host ${folder}: base chain too long`);
      root = spec.base ? resolve(root, spec.base) : undefined;
    }
    this.layers = layers;
    // Nearer layers win field by field; lists that say "this host differs" accumulate.
    const merged: Record<string, unknown> = {};
    for (const layer of [...layers].reverse()) Object.assign(merged, layer.spec);
    merged.absent = layers.slice(0, -1).flatMap((l) => l.spec.absent ?? []);
    this.spec = merged as FixtureHostSpec;
    if (!this.spec.basics) throw new Error(`fixture host ${folder}: host.json has no basics`);
  }

  async readFile(path: string): Promise<string | undefined> {
    if (this.spec.unreadable?.includes(path)) return undefined;
    const file = this.locate(path);
    if (!file || !statSync(file).isFile()) return undefined;
    return readFileSync(file, 'utf8');
  }

  async exists(path: string): Promise<boolean> {
    return this.link(path) !== undefined || this.locate(path) !== undefined;
  }

  async list(dir: string): Promise<string[]> {
    const names = new Set<string>();
    for (const layer of this.layers) {
      if (this.isAbsent(dir)) break;
      try {
        for (const n of readdirSync(join(layer.root, dir))) if (!this.isAbsent(posix.join(dir, n))) names.add(n);
      } catch {
        // A layer without this folder adds nothing.
      }
    }
    for (const p of Object.keys(this.spec.links ?? {})) if (dirname(p) === dir) names.add(basename(p));
    return [...names].sort();
  }

  async readLink(path: string): Promise<string | undefined> {
    return this.link(path);
  }

  async canReadWrite(path: string): Promise<boolean> {
    return (this.spec.readWrite ?? []).includes(path) && (await this.exists(path));
  }

  async findExecutable(name: string, searchPath?: readonly string[]): Promise<string | undefined> {
    const dirs = name.includes('/') ? [''] : (searchPath ?? this.spec.path ?? []);
    for (const dir of dirs) {
      const candidate = dir ? posix.join(dir, name) : name;
      const file = this.locate(candidate);
      if (file && statSync(file).isFile()) return candidate;
    }
    return undefined;
  }

  async run(file: string, args: readonly string[]): Promise<RunResult | undefined> {
    const key = [basename(file), ...args].join(' ');
    const programs = this.spec.programs ?? {};
    return Object.hasOwn(programs, key) ? programs[key] : undefined;
  }

  async docker(): Promise<DaemonAnswer<DockerFacts>> {
    return this.spec.docker ?? { ok: false, socket: '/var/run/docker.sock', error: 'not found' };
  }

  async containerd(): Promise<DaemonAnswer<ContainerdFacts>> {
    return this.spec.containerd ?? { ok: false, socket: '/run/containerd/containerd.sock', error: 'not found' };
  }

  async basics(): Promise<HostBasics> {
    return this.spec.basics as HostBasics;
  }

  /** The real file behind a host path: the nearest layer that has it, unless the host lacks it. */
  private locate(path: string): string | undefined {
    if (this.isAbsent(path)) return undefined;
    for (const layer of this.layers) {
      const file = join(layer.root, path);
      try {
        statSync(file);
        return file;
      } catch {
        // Not in this layer; try the base.
      }
    }
    return undefined;
  }

  private link(path: string): string | undefined {
    const links = this.spec.links ?? {};
    return !this.isAbsent(path) && Object.hasOwn(links, path) ? links[path] : undefined;
  }

  private isAbsent(path: string): boolean {
    return (this.spec.absent ?? []).some((a) => path === a || path.startsWith(`${a}/`));
  }
}

/** The repository's `test/fixtures/hosts/`, found upwards from this file (works from src/ and dist/). */
export function fixtureHostsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test', 'fixtures', 'hosts');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('test/fixtures/hosts not found above this module');
    dir = up;
  }
}
