import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdylError } from '../api/errors.js';
import { isRuntimeProfile, type RuntimeProfile } from '../api/isolation.js';
import type { Resources } from '../api/node.js';

/** What a joined node keeps in its state dir (mode 0600): enough to run the agent again. */
export interface NodeState {
  readonly nodeId: string;
  readonly name: string;
  readonly realm: string;
  /** The node's own credential: heartbeat, assignments and reports only. */
  readonly credential: string;
  readonly subnet: string;
  readonly runtimeProfile: RuntimeProfile;
  readonly microvmGPU: boolean;
  readonly overhead?: Resources;
  readonly tls?: { readonly caFile?: string; readonly fingerprint?: string };
  readonly allowInsecureHttp?: boolean;
  readonly dockerSocket?: string;
  readonly containerdSocket?: string;
  readonly joinedAt: string;
}

const FILE = 'node.json';

/** The default state dir: `/var/lib/idyl/node` for root, else `~/.idyl/node`. */
export function defaultStateDir(home: string): string {
  return process.getuid?.() === 0 ? '/var/lib/idyl/node' : join(home, 'node');
}

/** Writes the state atomically with mode 0600 (it holds a credential). */
export function saveNodeState(dir: string, state: NodeState): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `${FILE}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, join(dir, FILE));
}

/** Reads the state of a joined node, or refuses with what to do. */
export function loadNodeState(dir: string): NodeState {
  const file = join(dir, FILE);
  if (!existsSync(file)) throw new IdylError('not_found', `no joined node in ${dir}`, { hint: 'join first: idyl node join --subnet S --runtime-profile P' });
  let state: NodeState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as NodeState;
  } catch (err) {
    throw new IdylError('validation_failed', `${file}: not readable as JSON (${(err as Error).message})`, { field: file });
  }
  if (!state.nodeId || !state.credential || !state.realm || !isRuntimeProfile(state.runtimeProfile)) {
    throw new IdylError('validation_failed', `${file}: incomplete node state`, { field: file, hint: 'join again' });
  }
  return state;
}
