import { describe, test, type TestContext } from 'node:test';

/** Resolves when a daemon answers; rejects with why it does not. */
export type Probe = () => Promise<void>;

/** One thing a test needs running, with how to tell. */
export interface DaemonCheck {
  /** For people, e.g. `Docker Engine at /var/run/docker.sock`. */
  readonly name: string;
  readonly probe: Probe;
}

/** True when tests run under CI (`CI=true`), where a missing daemon is a failure, not a skip. */
export function inCI(): boolean {
  return process.env.CI === 'true';
}

const answers = new Map<string, Promise<string | undefined>>();

/**
 * Why `check`'s daemon cannot be used, or undefined when it answers. Each name
 * is probed once per process; later calls get the first answer.
 */
export function unavailableReason(check: DaemonCheck): Promise<string | undefined> {
  let answer = answers.get(check.name);
  if (answer === undefined) {
    answer = check.probe().then(
      () => undefined,
      (error: unknown) => `${check.name} is not available: ${error instanceof Error ? error.message : String(error)}`,
    );
    answers.set(check.name, answer);
  }
  return answer;
}

/**
 * For the first lines of a test that needs a daemon: resolves true when it
 * answers. Otherwise skips the test with the reason and resolves false, or,
 * under CI=true, throws so that the test fails with the reason.
 */
export async function requireDaemon(t: TestContext, name: string, probe: Probe): Promise<boolean> {
  const reason = await unavailableReason({ name, probe });
  if (reason === undefined) return true;
  if (inCI()) throw new Error(`${reason} (CI=true: a missing daemon fails the test)`);
  t.skip(reason);
  return false;
}

/**
 * Declares a `describe` suite whose tests all need `checks`. When one fails, the
 * suite is declared skipped with the reason instead, or, under CI=true, as one
 * failing test that states the reason.
 */
export async function describeWithDaemons(name: string, checks: readonly DaemonCheck[], body: () => void | Promise<void>): Promise<void> {
  const reasons = (await Promise.all(checks.map(unavailableReason))).filter((r): r is string => r !== undefined);
  if (reasons.length === 0) {
    describe(name, body);
    return;
  }
  const reason = reasons.join('; ');
  if (inCI()) {
    describe(name, () => {
      test('the daemons this suite needs are running', () => {
        throw new Error(`${reason} (CI=true: a missing daemon fails the suite)`);
      });
    });
    return;
  }
  describe(name, { skip: reason }, () => {});
}
