import type { TestContext } from 'node:test';
import type { LaunchSpec, RuntimeDriver } from '../../src/agent/runtime/driver.js';
import { Cleanup, removeLabelled } from '../support/cleanup.js';
import { drainLogs } from '../support/drain-logs.js';
import type { RegistryImage } from '../support/registry.js';
import { testLabels, uniqueName } from '../support/run-id.js';
import type { TestImage } from '../support/test-image.js';

/** What an engine's test file hands the conformance suite. */
export interface DriverHarness {
  readonly driver: RuntimeDriver;
  /** The runtime to name on every create (e.g. `runc`, `io.containerd.runc.v2`). */
  readonly runtime: string;
  /**
   * Removes the local image `ref` names, under every name it has; an absent image
   * is fine. The suite uses it to leave the engine without the images it pushed.
   */
  removeImage(ref: string): Promise<void>;
}

/** What a container run to its end left behind. */
export interface Finished {
  readonly id: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The state the conformance cases share: the harness, the images, and helpers
 * that label what each test makes and remove it after that test.
 */
export class SuiteContext {
  /** Runs at the end of the suite: registry and engine clean-up. */
  readonly cleanup = new Cleanup();

  constructor(
    readonly harness: DriverHarness,
    /** The busybox test image: no entrypoint, cmd prints "hello from idyl". */
    readonly image: TestImage,
    /** The busybox image with entrypoint `/bin/echo entry` and cmd `default`, already pulled. */
    readonly entryImage: RegistryImage,
    /** A variant that no engine has pulled yet (for pull policies). */
    readonly freshImage: RegistryImage,
    /** A runtime name that no engine knows. */
    readonly unknownRuntime: string,
  ) {}

  get driver(): RuntimeDriver {
    return this.harness.driver;
  }

  /**
   * A launch spec for test `t` with fresh labels (returned in `labels`); what
   * carries those labels is stopped and removed after `t`.
   */
  spec(t: TestContext, overrides: Partial<LaunchSpec> = {}): LaunchSpec {
    const labels = { ...testLabels(t.name), ...overrides.labels };
    t.after(() => removeLabelled(this.driver, labels));
    return {
      name: uniqueName(t.name),
      image: { uri: this.image.ref },
      env: {},
      network: 'none',
      runtime: this.harness.runtime,
      ...overrides,
      labels,
    };
  }

  /** Creates and starts a container for `t`; resolves with its id. */
  async launch(t: TestContext, overrides: Partial<LaunchSpec> = {}): Promise<string> {
    const created = await this.driver.create(this.spec(t, overrides));
    await this.driver.start(created.id);
    return created.id;
  }

  /** Launches a container, waits for its exit and collects its whole output. */
  async run(t: TestContext, overrides: Partial<LaunchSpec> = {}): Promise<Finished> {
    const id = await this.launch(t, overrides);
    const exitCode = await this.driver.wait(id);
    const logs = await drainLogs(this.driver, id, { follow: false });
    return { id, exitCode, stdout: logs.stdout, stderr: logs.stderr };
  }
}

/** One conformance case: a behaviour every driver must show on a real engine. */
export interface ConformanceCase {
  readonly name: string;
  /** Default 60 s. */
  readonly timeoutMs?: number;
  run(ctx: SuiteContext, t: TestContext): Promise<void>;
}
