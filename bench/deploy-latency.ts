import { loadavg } from 'node:os';
import type { RuntimeProfile } from '../src/api/isolation.js';
import { measureProfile, type DeployLatencyPlan, type ProfileFigures } from './deploy-latency-profile.js';

/** What each size measures per profile. */
export const DEPLOY_LATENCY_SIZES: Readonly<Record<'small' | 'large', DeployLatencyPlan>> = {
  small: { runs: 3, concurrent: 5, idleSeconds: 2 },
  large: { runs: 20, concurrent: 50, idleSeconds: 10 },
};

/** The profiles measured when `--profile` does not pick one. */
export const DEPLOY_LATENCY_PROFILES: readonly RuntimeProfile[] = ['docker', 'containerd-runc'];

/** The figures one run reports: per profile, see {@link ProfileFigures}. */
export interface DeployLatencyFigures {
  readonly size: string;
  readonly plan: DeployLatencyPlan;
  readonly profiles: readonly ProfileFigures[];
  /** The load average (1, 5, 15 min) when the run ended: other work shares the machine. */
  readonly loadAverage: readonly number[];
}

/**
 * Deploy-to-running latency of idyl against the raw engine, side by side in one run
 * on the same image: per profile one real `idyl server` and one real agent (`idyl
 * node join --start`); pods created as `idyl run` creates them and timed from the
 * create call to the `Running` the control plane records; the same container
 * started by the engine's own command line and API; then `concurrent` pods at once,
 * and the agent's memory and idle CPU. Options: `--size small|large`, `--profile
 * docker|containerd-runc`, `--runs N`, `--concurrent N`, `--idle-seconds N`.
 */
export async function run(options: { size?: string; profile?: string; runs?: string; concurrent?: string; 'idle-seconds'?: string }): Promise<DeployLatencyFigures> {
  const size = options.size ?? 'small';
  const base = DEPLOY_LATENCY_SIZES[size as keyof typeof DEPLOY_LATENCY_SIZES];
  if (!base) throw new Error(`unknown size ${size} (small or large)`);
  const plan: DeployLatencyPlan = {
    runs: Number(options.runs ?? base.runs),
    concurrent: Number(options.concurrent ?? base.concurrent),
    idleSeconds: Number(options['idle-seconds'] ?? base.idleSeconds),
  };
  const wanted = options.profile ? [options.profile] : DEPLOY_LATENCY_PROFILES;
  for (const p of wanted) if (!DEPLOY_LATENCY_PROFILES.includes(p as RuntimeProfile)) throw new Error(`unknown profile ${p} (docker or containerd-runc)`);
  const profiles: ProfileFigures[] = [];
  for (const p of wanted) profiles.push(await measureProfile(p as RuntimeProfile, plan, (m) => console.error(`deploy-latency: ${m}`)));
  return { size, plan, profiles, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100) };
}
