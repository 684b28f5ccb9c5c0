import { randomBytes } from 'node:crypto';
import { LABELS } from '../../src/agent/runtime/driver.js';

/** The label every test-made resource carries: the run that made it. */
export const RUN_LABEL = 'idyl.test-run';
/** The label that tells one test's resources from another's within a run. */
export const TEST_LABEL = 'idyl.test';

let current: string | undefined;
let counter = 0;

/** This process's run id: short, lower-case, unique enough to share a daemon with other runs. */
export function runId(): string {
  current ??= `r${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  return current;
}

/** The labels that select everything this run made (for a final sweep). */
export function runSelector(): Record<string, string> {
  return { [RUN_LABEL]: runId() };
}

/**
 * Fresh labels for one test's resources: idyl's ownership labels (the node label
 * names this run, so an agent sweeping its own node leaves them alone), the run
 * id, and a per-call test id derived from `name`.
 */
export function testLabels(name: string): Record<string, string> {
  counter += 1;
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
  return {
    [LABELS.managed]: 'true',
    [LABELS.node]: `test-${runId()}`,
    [RUN_LABEL]: runId(),
    [TEST_LABEL]: `${slug}-${counter}`,
  };
}

/** A unique engine-level name for a container made by a test. */
export function uniqueName(hint: string): string {
  counter += 1;
  const slug = hint.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 24);
  return `idyl-test-${runId()}-${slug}-${counter}`;
}
