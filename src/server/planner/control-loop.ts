import type { Logger } from '../logger.js';
import type { ServiceDeps } from '../services/deps.js';
import { runControllers } from './controllers.js';
import type { Planning } from './planning-loop.js';

/**
 * Runs the controllers on a timer and hands planning to `planning`, which runs it here
 * or in the background thread. With several replicas only the holder of the scheduling
 * lease runs the controllers.
 */
export class ControlLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private ticking = false;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly logger: Logger,
    private readonly tickMs: number,
    private readonly planning: Planning,
    private readonly isLeader: () => Promise<boolean> = async () => true,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
    this.planning.start();
  }

  /** Asks for a planning round soon; rounds never overlap. */
  kick(): void {
    if (!this.stopped) this.planning.kick();
  }

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

  /** Stops the timer and planning, waiting for a round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.planning.stop();
  }
}
