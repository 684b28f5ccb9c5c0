import type { RuntimeDriver } from '../../src/agent/runtime/driver.js';
import { RUN_LABEL, runId } from './run-id.js';

/**
 * Stops and removes every container `driver` lists under `selector`, and returns
 * how many it removed. Refuses a selector without this run's {@link RUN_LABEL}, so
 * that a test can never sweep what other runs, other tests or people made.
 */
export async function removeLabelled(driver: RuntimeDriver, selector: Readonly<Record<string, string>>): Promise<number> {
  if (selector[RUN_LABEL] !== runId()) {
    throw new Error(`removeLabelled: the selector must include ${RUN_LABEL}=${runId()} (got ${JSON.stringify(selector)})`);
  }
  const found = await driver.list(selector);
  await Promise.all(
    found.map(async (container) => {
      await driver.stop(container.id, 0);
      await driver.remove(container.id);
    }),
  );
  return found.length;
}

/**
 * Runs registered clean-up steps in reverse order of registration, each once,
 * going on past failures and rethrowing the first afterwards (so one failing step
 * leaves nothing else behind).
 */
export class Cleanup {
  private readonly steps: Array<() => Promise<unknown>> = [];

  /** Registers a step to run at {@link Cleanup.run}. */
  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  /** Runs every registered step, last first. */
  async run(): Promise<void> {
    let first: unknown;
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }
}
