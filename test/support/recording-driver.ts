import type { ContainerInfo, EngineInfo, ExecResult, ImageRef, LaunchSpec, LogChunk, LogOptions, PulledImage, PullPolicy, RuntimeDriver } from '../../src/agent/runtime/driver.js';

/**
 * A real runtime driver with a log of what it was asked to create: every `create`
 * goes to the engine unchanged, and its spec and the id it got are kept, so a test
 * can check each create call and remove exactly what was made. Not a fake.
 */
export class RecordingDriver implements RuntimeDriver {
  readonly creates: { readonly spec: LaunchSpec; readonly id?: string; readonly error?: string }[] = [];

  readonly engine: RuntimeDriver['engine'];

  constructor(readonly inner: RuntimeDriver) {
    this.engine = inner.engine;
  }

  async create(spec: LaunchSpec): Promise<ContainerInfo> {
    try {
      const info = await this.inner.create(spec);
      this.creates.push({ spec, id: info.id });
      return info;
    } catch (err) {
      this.creates.push({ spec, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  /** The ids of the containers the engine made through this driver. */
  get created(): string[] {
    return this.creates.flatMap((c) => (c.id ? [c.id] : []));
  }

  info(): Promise<EngineInfo> {
    return this.inner.info();
  }
  pull(image: ImageRef, policy: PullPolicy, onProgress?: (message: string) => void): Promise<PulledImage> {
    return this.inner.pull(image, policy, onProgress);
  }
  start(id: string): Promise<void> {
    return this.inner.start(id);
  }
  inspect(id: string): Promise<ContainerInfo | undefined> {
    return this.inner.inspect(id);
  }
  list(selector: Readonly<Record<string, string>>): Promise<ContainerInfo[]> {
    return this.inner.list(selector);
  }
  logs(id: string, options: LogOptions): AsyncIterable<LogChunk> {
    return this.inner.logs(id, options);
  }
  exec(id: string, argv: readonly string[], timeoutMs: number): Promise<ExecResult> {
    return this.inner.exec(id, argv, timeoutMs);
  }
  wait(id: string, signal?: AbortSignal): Promise<number> {
    return this.inner.wait(id, signal);
  }
  stop(id: string, graceMs: number): Promise<void> {
    return this.inner.stop(id, graceMs);
  }
  remove(id: string): Promise<void> {
    return this.inner.remove(id);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
