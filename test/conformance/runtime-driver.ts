import { after, before, test } from 'node:test';
import { removeLabelled } from '../support/cleanup.js';
import { describeWithDaemons, type DaemonCheck } from '../support/daemon-gate.js';
import { deleteManifest, pushVariant } from '../support/registry.js';
import { runId, runSelector } from '../support/run-id.js';
import { ensureTestImage, testImageCheck } from '../support/test-image.js';
import { imageCases } from './cases/image-cases.js';
import { lifecycleCases } from './cases/lifecycle-cases.js';
import { processCases } from './cases/process-cases.js';
import { SuiteContext, type ConformanceCase, type DriverHarness } from './suite-context.js';

export type { DriverHarness } from './suite-context.js';

/** How one engine's test file runs the suite. */
export interface ConformanceOptions {
  /** What the engine needs running; without it the suite skips (fails under CI=true). */
  readonly engine: DaemonCheck;
  /** Cases this driver is excused from, each group with the reason printed as the skip. */
  readonly skip?: ReadonlyArray<{ readonly reason: string; readonly tests: readonly string[] }>;
  /** A runtime name the engine does not know; default `io.containerd.idyl-missing.v1`. */
  readonly unknownRuntime?: string;
}

/** The registry repository the suite pushes its image variants to. */
export const VARIANT_REPOSITORY = 'idyl/conformance';

/** Every case of the suite, in the order they run. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = [...imageCases, ...processCases, ...lifecycleCases];

/**
 * Registers the one runtime driver conformance suite with `node:test`: every
 * {@link RuntimeDriver} must pass it against a real engine and the local
 * registry. `setup` makes the harness once, before the first case. Each case
 * labels what it makes with this run's id and removes it afterwards; the suite
 * pushes two variants of the busybox test image (tags named after the run) and
 * deletes them (from the registry and, through the harness, from the engine) at
 * the end. Await it at the top level of a `*.test.ts` file.
 */
export async function runtimeDriverConformance(name: string, setup: () => Promise<DriverHarness>, options: ConformanceOptions): Promise<void> {
  await describeWithDaemons(`runtime driver conformance: ${name}`, [options.engine, testImageCheck()], () => {
    let ctx: SuiteContext | undefined;

    before(async () => {
      const harness = await setup();
      const image = await ensureTestImage();
      // One repository for every run; the run id in each variant's config makes its
      // digest this run's own, so deleting it by digest touches no other run.
      const run = { 'idyl.test-run': runId() };
      const entryImage = await pushVariant(image, VARIANT_REPOSITORY, `entry-${runId()}`, { Entrypoint: ['/bin/echo', 'entry'], Cmd: ['default'], Labels: run });
      const freshImage = await pushVariant(image, VARIANT_REPOSITORY, `fresh-${runId()}`, { Labels: { ...run, 'idyl.test-image': 'fresh' } });
      ctx = new SuiteContext(harness, image, entryImage, freshImage, options.unknownRuntime ?? 'io.containerd.idyl-missing.v1');
      const made = ctx;
      made.cleanup.add(() => harness.driver.close());
      for (const variant of [entryImage, freshImage]) {
        made.cleanup.add(() => deleteManifest(variant));
        made.cleanup.add(() => harness.removeImage(variant.ref));
      }
      made.cleanup.add(() => removeLabelled(harness.driver, runSelector()));
      await harness.driver.pull({ uri: image.ref }, 'if_not_present');
      await harness.driver.pull({ uri: entryImage.ref }, 'always');
    });

    after(async () => {
      await ctx?.cleanup.run();
    });

    for (const testCase of CONFORMANCE_CASES) {
      const excused = options.skip?.find((group) => group.tests.includes(testCase.name));
      test(testCase.name, { timeout: testCase.timeoutMs ?? 60_000, ...(excused ? { skip: excused.reason } : {}) }, async (t) => {
        if (ctx === undefined) throw new Error('the suite set-up did not finish');
        await testCase.run(ctx, t);
      });
    }
  });
}
