import type { Logger } from '../logger.js';
import type { ServiceDeps } from '../services/deps.js';
import { runControllers } from './controllers.js';
import { Planner } from './planner.js';

/**
 * Runs the planner whenever something that can change a placement happened
 * (`kick`), coalescing bursts, and the controllers on a timer. With several
 * replicas only the holder of the scheduling lease runs it.
 */
export class ControlLoop {
  private readonly planner: Planner;
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly logger: Logger,
    private readonly tickMs: number,
    private readonly isLeader: () => Promise<boolean> = async () => true,
  ) {
    this.planner = new Planner(deps);
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
    this.kick();
  }

  /** Asks for a planning round soon; rounds never overlap. */
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
        this.again = false;
        if (!(await this.isLeader())) break;
        const r = await this.planner.round();
        if (r.more) this.again = true;
      } while (this.again && !this.stopped);
    } catch (err) {
      this.logger.error('planning round failed', { error: err instanceof Error ? err.stack ?? err.message : String(err) });
    } finally {
      this.running = false;
    }
  }

  private ticking = false;

  private async tick(): Promise<void> {
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    try {
      if (!(await this.isLeader())) return;
      if (await runControllers(this.deps)) this.kick();
    } catch (err) {
      this.logger.error('controllers failed', { error: err instanceof Error ? err.stack ?? err.message : String(err) });
    } finally {
      this.ticking = false;
    }
  }

  /** Stops the timer and waits for a round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle;
  }
}
