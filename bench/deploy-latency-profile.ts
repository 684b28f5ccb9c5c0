import type { RuntimeProfile } from '../src/api/isolation.js';
import { uniqueName } from '../test/support/run-id.js';
import { IdylStack, type SentPod } from './idyl-stack.js';
import { PodWatch, type PodTimeline } from './pod-watch.js';
import { cpuPercentOver, memoryMiB } from './process-stats.js';
import { rawEngine, type RawEngine } from './raw-engine.js';
import { median, round } from './stats.js';

/** The loopback registry's busybox test image (scripts/host/setup.sh pushes it). */
export const BENCH_IMAGE = `${process.env.IDYL_TEST_REGISTRY ?? '127.0.0.1:5000'}/idyl/busybox:1.35`;
/** What every container runs: waits, and exits at once on SIGTERM (removal costs no grace). */
const ARGS = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];
/**
 * Each pod's request and limit (`--cpu 20m --memory 32Mi`), and the raw containers' limits:
 * small enough that 50 pods fit a 2-core node (the default 100m would fit only 20).
 */
const RESOURCES = { cpu: '20m', memory: '32Mi' };
const LIMITS = { cpuMillis: 20, memoryBytes: 32 * 2 ** 20 };
/** Pause before each timed start in the sequential series. */
const SETTLE_MS = 250;

/** How much one size measures. */
export interface DeployLatencyPlan {
  /** Sequential deploys per method (idyl, raw command line, raw API). */
  readonly runs: number;
  /** Pods created at once onto the node. */
  readonly concurrent: number;
  /** Seconds over which the agent's idle CPU is measured. */
  readonly idleSeconds: number;
}

/** Milliseconds of one series. */
export interface Series {
  readonly n: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** The figures of one runtime profile. */
export interface ProfileFigures {
  readonly profile: RuntimeProfile;
  /** The create call leaving the client → `pod.running` recorded by the control plane. */
  readonly idyl: Series;
  /** Medians of the steps in between, from the control plane's own event times. */
  readonly idylStepsMs: { readonly accepted: number; readonly scheduled: number; readonly agentTook: number; readonly launchedAndReported: number };
  readonly rawCli: Series & { readonly what: string };
  readonly rawApi: Series & { readonly what: string };
  /** median idyl / median raw command line (target ≤ 1.25), and over the raw API. */
  readonly ratio: number;
  readonly ratioVsApi: number;
  readonly targetMet: boolean;
  readonly concurrent: { readonly pods: number; readonly running: number; readonly failed: number; readonly lost: number; readonly allRunningMs: number; readonly medianPodMs: number };
  readonly agent: { readonly pid: number; readonly rssMiB: number; readonly peakRssMiB: number; readonly idleCpuPercent: number; readonly idleSeconds: number; readonly podsRunningWhileIdle: number };
  /** Containers of the bench still on the engines after clean-up (0). */
  readonly leftovers: number;
  /** The agent exited within 15 s of SIGTERM at the end. */
  readonly agentExitedOnSigterm: boolean;
}

function series(ms: readonly number[]): Series {
  return { n: ms.length, medianMs: round(median(ms)), minMs: round(Math.min(...ms)), maxMs: round(Math.max(...ms)) };
}

/** One pod created through idyl and followed until Running; its latency and timeline. */
async function deployOne(stack: IdylStack, watch: PodWatch, name: string): Promise<{ ms: number; t: PodTimeline; sent: SentPod }> {
  const sent = await stack.deploy(BENCH_IMAGE, name, ARGS, RESOURCES);
  const outcome = await watch.settled([sent.id], 60_000);
  const t = watch.timeline(sent.id);
  if (outcome.running !== 1 || t.running === undefined) throw new Error(`pod ${name} did not reach Running: ${t.failed ?? 'timed out'}`);
  return { ms: t.running - sent.sentAt, t, sent };
}

/** One raw start, timed; the container must run afterwards (checked outside the timed window). */
async function rawOne(raw: RawEngine, start: RawEngine['cli']): Promise<number> {
  const t0 = performance.now();
  const id = await start(uniqueName('deploy-latency'));
  const ms = performance.now() - t0;
  if (!(await raw.running(id))) throw new Error(`raw container ${id} is not running after its start`);
  return ms;
}

/**
 * Measures one profile: `runs` deploys through idyl and as many through the raw
 * engine (its command line and its API), interleaved in rotating order; then
 * `concurrent` pods at once; then the agent's memory and idle CPU. Removes
 * everything it made and counts what is left.
 */
export async function measureProfile(profile: RuntimeProfile, plan: DeployLatencyPlan, progress: (m: string) => void): Promise<ProfileFigures> {
  const stack = await IdylStack.start(profile);
  let raw: RawEngine | undefined;
  let watch: PodWatch | undefined;
  let leftovers = 0;
  let agentExited = false;
  let figures: Omit<ProfileFigures, 'leftovers' | 'agentExitedOnSigterm'>;
  try {
    watch = await PodWatch.open(stack.client);
    // Warm-ups, not counted: the agent pulls the image once; each path pays its first-call costs.
    await deployOne(stack, watch, 'warm-up');
    raw = await rawEngine(profile, BENCH_IMAGE, ARGS, LIMITS);
    await rawOne(raw, raw.cli);
    await rawOne(raw, raw.api);
    const idyl: number[] = [];
    const steps: Array<PodTimeline & { sentAt: number }> = [];
    const cli: number[] = [];
    const api: number[] = [];
    for (let i = 0; i < plan.runs; i++) {
      const order = [0, 1, 2].map((k) => (k + i) % 3);
      for (const k of order) {
        // Let the engine finish what the previous start left it doing, for every method alike.
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        if (k === 0) {
          const one = await deployOne(stack, watch, `lat-${i}`);
          idyl.push(one.ms);
          steps.push({ ...one.t, sentAt: one.sent.sentAt });
        } else if (k === 1) cli.push(await rawOne(raw, raw.cli));
        else api.push(await rawOne(raw, raw.api));
      }
    }
    progress(`${profile}: idyl median ${round(median(idyl))} ms, ${raw.cliName} ${round(median(cli))} ms, ${raw.apiName} ${round(median(api))} ms`);
    await stack.deleteAllPods();

    const t0 = Date.now();
    const burst = await Promise.all(Array.from({ length: plan.concurrent }, (_, i) => stack.deploy(BENCH_IMAGE, `burst-${i}`, ARGS, RESOURCES)));
    const outcome = await watch.settled(burst.map((p) => p.id), 180_000);
    const ran = burst.map((p) => watch?.timeline(p.id).running).filter((x): x is number => x !== undefined);
    const perPod = burst.flatMap((p) => {
      const r = watch?.timeline(p.id).running;
      return r === undefined ? [] : [r - p.sentAt];
    });
    progress(`${profile}: ${outcome.running}/${plan.concurrent} concurrent pods running after ${Math.max(...ran) - t0} ms`);

    await new Promise((r) => setTimeout(r, 1000));
    const idleCpuPercent = await cpuPercentOver(stack.agent.pid, plan.idleSeconds);
    const memory = memoryMiB(stack.agent.pid);
    await stack.deleteAllPods();

    const step = (from: (t: PodTimeline & { sentAt: number }) => number | undefined, to: (t: PodTimeline) => number | undefined): number =>
      round(median(steps.map((t) => (to(t) ?? NaN) - (from(t) ?? NaN)).filter(Number.isFinite)));
    const ratio = median(idyl) / median(cli);
    figures = {
      profile,
      idyl: series(idyl),
      idylStepsMs: {
        accepted: step((t) => t.sentAt, (t) => t.created),
        scheduled: step((t) => t.created, (t) => t.scheduled),
        agentTook: step((t) => t.scheduled, (t) => t.pulling),
        launchedAndReported: step((t) => t.pulling, (t) => t.running),
      },
      rawCli: { what: raw.cliName, ...series(cli) },
      rawApi: { what: raw.apiName, ...series(api) },
      ratio: round(ratio, 2),
      ratioVsApi: round(median(idyl) / median(api), 2),
      targetMet: ratio <= 1.25,
      concurrent: {
        pods: plan.concurrent,
        running: outcome.running,
        failed: outcome.failed,
        lost: plan.concurrent - outcome.running,
        allRunningMs: outcome.running === plan.concurrent ? Math.max(...ran) - t0 : NaN,
        medianPodMs: round(median(perPod)),
      },
      agent: { pid: stack.agent.pid, ...memory, idleCpuPercent, idleSeconds: plan.idleSeconds, podsRunningWhileIdle: outcome.running },
    };
  } finally {
    await watch?.close();
    leftovers += (await raw?.close()) ?? 0;
    const stopped = await stack.stop();
    leftovers += stopped.leftovers;
    agentExited = stopped.agentExited;
    if (leftovers > 0) progress(`${profile}: ${leftovers} containers left behind`);
  }
  return { ...figures, leftovers, agentExitedOnSigterm: agentExited };
}
