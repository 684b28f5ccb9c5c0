import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdylError } from '../api/errors.js';

const FILE = 'agent.lock';

/** The lock one running agent holds on its state dir. */
export interface AgentLock {
  readonly file: string;
  /** Removes the lock if it is still this process's (idempotent). */
  release(): void;
}

/**
 * Takes the state dir's agent lock: `DIR/agent.lock`, created exclusively, holding this
 * process's pid. Two agents on one state dir would follow the same node and race each
 * other on the engine, so a lock held by a live process is refused (`conflict`, naming
 * its pid and the dir). A lock whose process is gone (the agent was killed) is stale
 * and taken over. Released on release() and when the process exits.
 */
export function acquireAgentLock(dir: string): AgentLock {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, FILE);
  for (let tries = 0; !claim(file); tries++) {
    const holder = holderOf(file);
    if (holder !== undefined && holder !== process.pid && alive(holder)) refuse(dir, file, holder);
    if (tries >= 3) throw new IdylError('conflict', `the agent lock ${file} keeps changing hands`, { stateDir: dir });
    // Stale (its process is gone) or unreadable: take it over. Moved aside first, so that
    // of two agents taking over at once, neither removes the lock the other just made.
    const aside = `${file}.stale.${process.pid}`;
    try {
      renameSync(file, aside);
    } catch {
      continue;
    }
    const moved = holderOf(aside);
    if (moved !== holder && moved !== undefined && alive(moved)) {
      claimAs(file, aside);
      rmSync(aside, { force: true });
      refuse(dir, file, moved);
    }
    rmSync(aside, { force: true });
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    if (holderOf(file) === process.pid) rmSync(file, { force: true });
  };
  process.once('exit', release);
  return { file, release };
}

/** Creates the lock with this process's pid, whole or not at all; false when one exists. */
function claim(file: string): boolean {
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, `${process.pid}\n`, { mode: 0o600 });
  try {
    return claimAs(file, mine);
  } finally {
    rmSync(mine, { force: true });
  }
}

/** Links `from` as the lock; false when one exists. */
function claimAs(file: string, from: string): boolean {
  try {
    linkSync(from, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function refuse(dir: string, file: string, holder: number): never {
  throw new IdylError('conflict', `an agent (pid ${holder}) is already running on state dir ${dir}`, {
    pid: holder,
    stateDir: dir,
    hint: `stop that agent first, or remove ${file} if pid ${holder} is not an idyl agent`,
  });
}

/** The pid a lock file names, or undefined when it names none. */
function holderOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
