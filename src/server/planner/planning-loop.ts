import type { Logger } from '../logger.js';
import type { ServiceDeps } from '../services/deps.js';
import { Planner, type PlannerOptions } from './planner.js';

/** After a failed round (a full disk, an I/O error), the next one is tried this much later. */
const RETRY_MS = 1_000;

export interface PlanningLoopOptions extends PlannerOptions {
  /**
   * The least time from the start of one round to the start of the next (default 0).
   * Under a stream of new pods, rounds then place them in batches, each batch one
   * commit, instead of committing every few pods.
   */
  readonly pauseMs?: number;
  /** Called as each round starts, before it reads anything. */
  readonly beforeRound?: () => void;
}

/** Where planning runs: in this thread (`PlanningLoop`) or in the background thread (`BackgroundThread`). */
export interface Planning {
  start(): void;
  /** Asks for a planning round soon. */
  kick(): void;
  /** Waits for a round in progress and plans no more. */
  stop(): Promise<void>;
}

/**
 * Runs the planner whenever something that can change a placement happened (`kick`),
 * coalescing bursts: rounds never overlap, and kicks during a round ask for one more.
 * With several replicas only the holder of the scheduling lease plans.
 */
export class PlanningLoop implements Planning {
  private readonly planner: Planner;
  private running = false;
  private again = false;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();
  private readonly pauseMs: number;
  private readonly beforeRound: () => void;
  private lastStart = 0;

  constructor(
    deps: ServiceDeps,
    private readonly logger: Logger,
    private readonly isLeader: () => Promise<boolean> = async () => true,
    options: PlanningLoopOptions = {},
  ) {
    this.planner = new Planner(deps, options);
    this.pauseMs = options.pauseMs ?? 0;
    this.beforeRound = options.beforeRound ?? (() => {});
  }

  start(): void {
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.idle = new Promise((resolve) => setImmediate(() => void this.plan().finally(resolve)));
  }

  private async plan(): Promise<void> {
    try {
      do {
        const wait = this.lastStart + this.pauseMs - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (this.stopped) break;
        this.lastStart = performance.now();
        this.again = false;
        this.beforeRound();
        if (!(await this.isLeader())) break;
        const r = await this.planner.round();
        if (r.more) this.again = true;
      } while (this.again && !this.stopped);
    } catch (err) {
      this.logger.error('planning round failed; trying again', { inMs: RETRY_MS, error: err instanceof Error ? err.stack ?? err.message : String(err) });
      // Nothing else may kick soon (pods waiting, nodes heartbeating): retry on our own.
      setTimeout(() => this.kick(), RETRY_MS).unref();
    } finally {
      this.running = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle;
  }
}
