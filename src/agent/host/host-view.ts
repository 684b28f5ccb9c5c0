/**
 * The one interface through which the agent reads its host. The real implementation
 * reads the live filesystem, runs binaries and asks the live daemons; the fixture
 * implementation (a fake, for tests) reads a fixture host layout from a folder.
 */
export interface HostView {
  /** A file's text, or undefined when it is missing or unreadable. */
  readFile(path: string): Promise<string | undefined>;
  /** True when the path exists (any kind). */
  exists(path: string): Promise<boolean>;
  /** Entry names of a directory; [] when it is missing. */
  list(dir: string): Promise<string[]>;
  /** The target of a symbolic link, or undefined. */
  readLink(path: string): Promise<string | undefined>;
  /** True when this process may open the path for reading and writing (e.g. /dev/kvm). */
  canReadWrite(path: string): Promise<boolean>;
  /** The full path of an executable found on `searchPath` (default: this process's PATH). */
  findExecutable(name: string, searchPath?: readonly string[]): Promise<string | undefined>;
  /** Runs a program with a timeout; undefined when it cannot be started. */
  run(file: string, args: readonly string[], timeoutMs: number): Promise<RunResult | undefined>;
  /** Asks the live Docker Engine; an `error` says why it could not be reached. */
  docker(): Promise<DaemonAnswer<DockerFacts>>;
  /** Asks the live containerd; an `error` says why it could not be reached. */
  containerd(): Promise<DaemonAnswer<ContainerdFacts>>;
  /** Host basics: architecture (`amd64`/`arm64`), kernel release, CPU count, memory. */
  basics(): Promise<HostBasics>;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the program was killed because it ran past its timeout. */
  readonly timedOut?: boolean;
}

/**
 * A daemon's answer, or why it could not be asked. `socket` on a failure names the
 * socket that was tried, so a check can say which one.
 */
export type DaemonAnswer<T> =
  | { readonly ok: true; readonly facts: T }
  | { readonly ok: false; readonly error: string; readonly socket?: string };

export interface DockerFacts {
  readonly socket: string;
  readonly version: string;
  /** Runtimes the running daemon lists in `/info` (not daemon.json). */
  readonly runtimes: readonly string[];
  readonly defaultRuntime: string;
}

export interface ContainerdFacts {
  readonly socket: string;
  readonly version: string;
  /** Plugins the running daemon loaded, with their init error where one failed. */
  readonly plugins: ReadonlyArray<{ readonly type: string; readonly id: string; readonly error?: string }>;
  /** The PATH of the running daemon (from /proc/PID/environ), where shims are looked up. */
  readonly daemonPath?: readonly string[];
}

export interface HostBasics {
  readonly arch: string;
  readonly kernel: string;
  readonly cpuCount: number;
  readonly memoryBytes: number;
  /** The uid this process runs as, where known (named in `/dev/kvm` details). */
  readonly uid?: number;
}
