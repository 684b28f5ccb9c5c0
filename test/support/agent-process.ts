import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeProfile } from '../../src/api/isolation.js';
import { createDriver } from '../../src/agent/runtime/create-driver.js';
import { IDYL_BIN, type CliUser } from './idyl-bin.js';
import { waitUntil } from './wait-until.js';

/** A node agent run as a user runs it: `bin/idyl … node join … --start` or `node start`. */
export interface AgentProcess {
  /** The node's state dir (holds `node.json`). */
  readonly stateDir: string;
  /** The agent's process id (its memory and CPU time are in /proc/PID). */
  readonly pid: number;
  /** Everything the agent wrote on stdout and stderr so far. */
  log(): string;
  /** Resolves with the exit code once the process has exited on its own (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Resolves once the log matches `pattern` (at least `count` times). */
  waitForLog(pattern: RegExp, count?: number, timeoutMs?: number): Promise<void>;
  /**
   * Sends `signal` (default SIGTERM) and resolves when the process has exited; one
   * still there after `graceMs` is killed (SIGKILL) and the call rejects saying so.
   */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** The id and name of the node joined from `stateDir`, read from its `node.json`. */
export function joinedNode(stateDir: string): { nodeId: string; name: string } {
  return JSON.parse(readFileSync(join(stateDir, 'node.json'), 'utf8')) as { nodeId: string; name: string };
}

/**
 * Runs `bin/idyl --homedir <user's> ARGS` as a long-lived child process (the agent
 * in the foreground) and resolves once it connected its assignment stream.
 */
export async function startAgentProcess(user: CliUser, stateDir: string, args: readonly string[]): Promise<AgentProcess> {
  const child: ChildProcess = spawn(process.execPath, [IDYL_BIN, '--homedir', user.homedir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
  let exited = false;
  const exitCode = new Promise<number | null>((resolve) => child.once('exit', (code) => ((exited = true), resolve(code))));
  const exit = exitCode.then(() => undefined);
  const agent: AgentProcess = {
    stateDir,
    pid: child.pid ?? 0,
    exited: exitCode,
    log: () => out,
    waitForLog: async (pattern, count = 1, timeoutMs = 30_000) => {
      const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
      await waitUntil(`agent log to show ${pattern} ×${count}\n${out.slice(-3000)}`, () => {
        if (exited) throw new Error(`the agent exited:\n${out.slice(-3000)}`);
        return (out.match(global)?.length ?? 0) >= count;
      }, timeoutMs, 100);
    },
    stop: async (signal = 'SIGTERM', graceMs = 15_000) => {
      if (exited) return;
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([exit.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
      clearTimeout(timer);
      if (!late) return;
      child.kill('SIGKILL');
      await exit;
      throw new Error(`the agent did not exit within ${graceMs} ms of ${signal}:\n${out.slice(-3000)}`);
    },
  };
  try {
    await agent.waitForLog(/assignment stream connected/);
  } catch (err) {
    await agent.stop('SIGKILL');
    throw err;
  }
  return agent;
}

/** `idyl node join --subnet S --runtime-profile P --name N --state-dir DIR --start` as a child process. */
export function joinAndStart(user: CliUser, stateDir: string, subnet: string, profile: string, name: string): Promise<AgentProcess> {
  return startAgentProcess(user, stateDir, ['node', 'join', '--subnet', subnet, '--runtime-profile', profile, '--name', name, '--state-dir', stateDir, '--start']);
}

/**
 * Stops and removes every container labelled as node `nodeId`'s, through the driver
 * of its profile (so containerd's snapshots and files go too); returns how many.
 * Node ids are unique per join, so this never touches what other nodes or people made.
 */
export async function removeNodeContainers(profile: RuntimeProfile, stateDir: string, nodeId: string): Promise<number> {
  const driver = await createDriver({ profile, stateDir });
  try {
    const found = await driver.list({ 'idyl.managed': 'true', 'idyl.node': nodeId });
    for (const c of found) {
      await driver.stop(c.id, 0);
      await driver.remove(c.id);
    }
    return found.length;
  } finally {
    await driver.close();
  }
}
