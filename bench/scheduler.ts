import type { PodDecision } from '../src/scheduler/plan.js';
import { Scheduler, type SchedulerOptions } from '../src/scheduler/scheduler.js';
import { SCHEDULER_SIZES, buildSchedulerScenario, type SchedulerScenario } from './scheduler-scenario.js';

/** The figures one run reports. */
export interface SchedulerFigures {
  readonly size: string;
  readonly subnets: number;
  readonly nodes: number;
  readonly pods: number;
  readonly podsPlaced: number;
  readonly podsUnplaceable: number;
  readonly refusedAtSubmit: number;
  /** Pods placed per second of scheduling, diagnoses of the unplaceable ones included. */
  readonly placementsPerSecond: number;
  /** Pods decided (placed or diagnosed) per second. */
  readonly podsPerSecond: number;
  /** Placements per second of CPU time the process used (steadier than wall time on a shared machine). */
  readonly placementsPerCpuSecond: number;
  /** Wall time of the scheduling loop (index excluded). */
  readonly scheduleSeconds: number;
  /** CPU time of the scheduling loop (user + system; GC threads included). */
  readonly scheduleCpuSeconds: number;
  readonly diagnosisSeconds: number;
  /** Building the per-subnet index and node facts from the snapshot. */
  readonly indexSeconds: number;
  readonly peakRssMiB: number;
}

/**
 * Schedules every pod of a scenario with one `Scheduler`, timing each pod, and
 * returns the decisions and the figures.
 */
export function runSchedulerScenario(scenario: SchedulerScenario, size: string, options?: SchedulerOptions): { decisions: PodDecision[]; figures: SchedulerFigures } {
  const t0 = performance.now();
  const scheduler = new Scheduler(scenario.snapshot, options);
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const decisions: PodDecision[] = new Array(scenario.pods.length);
  let diagnosisMs = 0;
  let placed = 0;
  for (let i = 0; i < scenario.pods.length; i++) {
    const start = performance.now();
    const d = scheduler.place(scenario.pods[i]!);
    if (d.placed) placed++;
    else diagnosisMs += performance.now() - start;
    decisions[i] = d;
  }
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const scheduleSeconds = (t2 - t1) / 1e3;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const figures: SchedulerFigures = {
    size,
    subnets: scenario.subnets,
    nodes: scenario.snapshot.nodes.length,
    pods: scenario.pods.length,
    podsPlaced: placed,
    podsUnplaceable: scenario.pods.length - placed,
    refusedAtSubmit: scenario.refusedAtSubmit,
    placementsPerSecond: Math.round(placed / scheduleSeconds),
    podsPerSecond: Math.round(scenario.pods.length / scheduleSeconds),
    placementsPerCpuSecond: Math.round(placed / cpuSeconds),
    scheduleSeconds: round(scheduleSeconds),
    scheduleCpuSeconds: round(cpuSeconds),
    diagnosisSeconds: round(diagnosisMs / 1e3),
    indexSeconds: round((t1 - t0) / 1e3),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  return { decisions, figures };
}

/**
 * The scheduler benchmark: `small` (200 nodes, 2,000 pods) or `large` (10,000
 * nodes in 10 subnets, 100,000 pods). Target for `large` on one core: at least
 * 20,000 placements per second with every unplaceable pod fully diagnosed.
 */
export function run(opts: { size?: string } = {}): SchedulerFigures {
  const size = opts.size ?? 'small';
  if (size !== 'small' && size !== 'large') throw new Error(`scheduler benchmark: unknown size ${size} (small, large)`);
  const scenario = buildSchedulerScenario(SCHEDULER_SIZES[size]);
  return runSchedulerScenario(scenario, size).figures;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
