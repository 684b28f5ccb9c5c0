import type { Command } from 'commander';
import { join } from 'node:path';
import { IdylError } from '../../api/errors.js';
import { isRuntimeProfile, RUNTIME_PROFILES, type RuntimeProfile } from '../../api/isolation.js';
import type { HostCheck, Resources } from '../../api/node.js';
import { parseBytes, parseCpu } from '../../api/quantity.js';
import type { JoinResult } from '../../api/wire.js';
import { defaultStateDir, loadNodeState, saveNodeState, type NodeState } from '../../agent/node-state.js';
import { acquireAgentLock } from '../../agent/agent-lock.js';
import { rotateOwnCredential } from '../../agent/rotate-credential.js';
import { existsSync } from 'node:fs';
import type { App, CommandContext } from '../app.js';
import { CliError, usageError } from '../cli-error.js';
import { homedirOf } from '../config/settings.js';
import { tableView, textOutput, type CommandOutput } from '../output/view.js';
import { writeOutput } from '../output/writer.js';
import { byIdOrName } from './node.js';
import { noun } from './noun.js';

interface HostFlags {
  dockerSocket?: string;
  containerdSocket?: string;
}

interface JoinOpts extends HostFlags {
  subnet?: string;
  runtimeProfile: string;
  name?: string;
  fleet?: string;
  microvmGpu?: boolean;
  stateDir?: string;
  start?: boolean;
  vmOverheadCpu?: string;
  vmOverheadMemory?: string;
}

function profileOf(text: string): RuntimeProfile {
  if (!isRuntimeProfile(text)) {
    throw new IdylError('validation_failed', `runtime profile "${text}" is not one of ${RUNTIME_PROFILES.join(', ')}`, { field: 'runtimeProfile', allowed: [...RUNTIME_PROFILES] });
  }
  return text;
}

function checksOutput(checks: readonly HostCheck[]): CommandOutput {
  return { data: { items: checks }, view: tableView(checks, [{ header: 'CHECK', value: (c) => c.name }, { header: 'OK', value: (c) => (c.ok ? 'yes' : 'NO') }, { header: 'DETAIL', value: (c) => c.detail }]) };
}

function overheadOf(o: JoinOpts): Resources | undefined {
  if (o.vmOverheadCpu === undefined && o.vmOverheadMemory === undefined) return undefined;
  if (o.vmOverheadCpu === undefined || o.vmOverheadMemory === undefined) throw new IdylError('validation_failed', '--vm-overhead-cpu and --vm-overhead-memory go together', { field: 'overhead' });
  const cpu = parseCpu(o.vmOverheadCpu, '--vm-overhead-cpu');
  if (!cpu.ok) throw cpu.error;
  const mem = parseBytes(o.vmOverheadMemory, '--vm-overhead-memory');
  if (!mem.ok) throw mem.error;
  return { cpuMillis: cpu.value, memoryBytes: mem.value };
}

function stateDirOf(ctx: CommandContext<{ stateDir?: string }>): string {
  return ctx.opts.stateDir ?? defaultStateDir(homedirOf(ctx.flags, ctx.io.home));
}

/** The agent and host probes are loaded when a command needs them, so that other commands start fast. */
const agentModules = async () => ({ ...(await import('../../agent/host-probe.js')), ...(await import('../../agent/run-agent.js')) });

async function startAgent(ctx: CommandContext<{ stateDir?: string }>, state: NodeState, dir: string): Promise<undefined> {
  const { jsonLog, runAgent } = await agentModules();
  ctx.io.stderr.write(`idyl node: agent of ${state.name} (${state.nodeId}) running; Ctrl-C stops it, workloads keep running\n`);
  await runAgent(state, dir, ctx.io.signal, jsonLog(ctx.io.stderr));
  return undefined;
}

/** `idyl node check|join|start`: the provider's side of a node. */
export function registerNodeAgent(program: Command, app: App): void {
  const node = noun(program, 'node', 'provider nodes', ['nodes']);
  const hostFlags = (c: Command) =>
    c.option('--docker-socket <path>', 'Docker Engine API socket', '/var/run/docker.sock').option('--containerd-socket <path>', 'containerd API socket', '/run/containerd/containerd.sock');

  hostFlags(
    node
      .command('check')
      .description('run the host checks of a runtime profile; exit 0 only if all pass')
      .requiredOption('--runtime-profile <profile>', RUNTIME_PROFILES.join(' | ')),
  ).action(
    app.action<HostFlags & { runtimeProfile: string }, []>(async (ctx) => {
      const profile = profileOf(ctx.opts.runtimeProfile);
      const { liveHost, probeHost } = await agentModules();
      const host = await liveHost(ctx.opts);
      const { checks } = await probeHost(host, profile, { microvmGPU: false });
      const out = checksOutput(checks);
      const failed = checks.filter((c) => !c.ok);
      if (failed.length === 0) return out;
      writeOutput(ctx.io, ctx.format, out);
      throw new CliError('host_check_failed', `${failed.length} check(s) failed for ${profile}: ${failed.map((c) => c.name).join(', ')}`, { failed: failed.map((c) => c.name) });
    }),
  );

  hostFlags(
    node
      .command('join')
      .description('check the host, register the node in a subnet and store its credential; --start then runs the agent')
      .requiredOption('--runtime-profile <profile>', RUNTIME_PROFILES.join(' | '))
      .option('--name <name>', 'node name (default: its id)')
      .option('--fleet <id>', 'the provider fleet the node joins in')
      .option('--microvm-gpu', 'declare a validated microVM GPU path (containerd-kata-qemu only)')
      .option('--state-dir <dir>', 'where the node keeps its credential (default /var/lib/idyl/node as root, else <homedir>/node)')
      .option('--vm-overhead-cpu <q>', "what one microVM costs the node beyond its request (default: the backend's)")
      .option('--vm-overhead-memory <q>', "memory one microVM costs the node beyond its request (default: the backend's)")
      .option('--start', 'run the agent in the foreground after joining'),
  ).action(
    app.action<JoinOpts, []>(async (ctx) => {
      const profile = profileOf(ctx.opts.runtimeProfile);
      const settings = await ctx.settings();
      const subnet = settings.subnet;
      if (!subnet) throw new IdylError('validation_failed', 'subnet: required', { field: 'subnet', hint: 'pass --subnet S' });
      const dir = stateDirOf(ctx);
      // With --start, one agent per state dir: a dir in use is refused before anything is registered.
      const lock = ctx.opts.start ? acquireAgentLock(dir) : undefined;
      try {
        if (existsSync(join(dir, 'node.json'))) {
          throw new IdylError('conflict', `a node has already joined from ${dir}`, { hint: `idyl node start --state-dir ${dir}, or join with another --state-dir` });
        }
        const overhead = overheadOf(ctx.opts);
        const declared = { microvmGPU: ctx.opts.microvmGpu === true, ...(overhead ? { overhead } : {}) };
        const { liveHost, probeHost, requireVerified } = await agentModules();
        const host = await liveHost(ctx.opts);
        const { report, checks } = await probeHost(host, profile, declared);
        requireVerified(profile, report, checks);
        const client = await ctx.client();
        const joined = await client.call<JoinResult>('nodes.join', { body: { subnet, report, ...(ctx.opts.name ? { name: ctx.opts.name } : {}), ...(ctx.opts.fleet ? { fleet: ctx.opts.fleet } : {}) } });
        const state: NodeState = {
          nodeId: joined.node.id,
          name: joined.node.name,
          realm: client.realm.origin,
          credential: joined.credential,
          subnet: joined.node.subnet,
          runtimeProfile: profile,
          microvmGPU: declared.microvmGPU,
          ...(overhead ? { overhead } : {}),
          ...(settings.tls.caFile || settings.tls.fingerprint ? { tls: { ...(settings.tls.caFile ? { caFile: settings.tls.caFile } : {}), ...(settings.tls.fingerprint ? { fingerprint: settings.tls.fingerprint } : {}) } } : {}),
          ...(settings.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
          ...(ctx.opts.dockerSocket ? { dockerSocket: ctx.opts.dockerSocket } : {}),
          ...(ctx.opts.containerdSocket ? { containerdSocket: ctx.opts.containerdSocket } : {}),
          joinedAt: new Date().toISOString(),
        };
        saveNodeState(dir, state);
        const out = textOutput(
          { node: joined.node, stateDir: dir },
          `✓ Node ${joined.node.name} (${joined.node.id}) joined subnet ${joined.node.subnet} as ${profile}: ${joined.node.state}\n  credential stored in ${dir}/node.json`,
        );
        if (!lock) return out;
        writeOutput(ctx.io, ctx.format, out);
        return await startAgent(ctx, state, dir);
      } finally {
        lock?.release();
      }
    }),
  );

  node
    .command('rotate-credential')
    .description("replace a node's credential; the old one stops working at once")
    .argument('[node]', "node id or name: rotate as its provider and print the new credential once (nothing is written to disk)")
    .option('--state-dir <dir>', 'on the node: rotate with its own credential and store the new one there (a running agent picks it up)')
    .action(
      app.action<{ stateDir?: string }, [string | undefined]>(async (ctx, nodeId) => {
        if ((nodeId === undefined) === (ctx.opts.stateDir === undefined)) {
          throw usageError('give either NODE (as its provider) or --state-dir DIR (on the node)', 'idyl node rotate-credential node-7fq3k2m9xa');
        }
        if (ctx.opts.stateDir !== undefined) {
          const state = await rotateOwnCredential(ctx.opts.stateDir, ctx.io.signal);
          return textOutput({ node: state.nodeId, stateDir: ctx.opts.stateDir, rotated: true }, `✓ Credential of node ${state.name} (${state.nodeId}) rotated and stored in ${ctx.opts.stateDir}/node.json`);
        }
        const client = await ctx.client();
        const { subnet } = await ctx.settings();
        const { id, credential } = await byIdOrName(client, nodeId as string, subnet, async (id) => ({ id, ...(await client.call<{ credential: string }>('nodes.rotate', { params: { node: id } })) }));
        if (ctx.format === 'table') ctx.io.stderr.write(`New credential of node ${id}: shown once; the old one no longer works. Put it in the node's node.json ("credential").\n`);
        return textOutput({ node: id, credential }, credential);
      }),
    );

  node
    .command('start')
    .description('run the agent of a joined node in the foreground')
    .option('--state-dir <dir>', 'the state dir given at join')
    .action(
      app.action<{ stateDir?: string }, []>(async (ctx) => {
        const dir = stateDirOf(ctx);
        const state = loadNodeState(dir);
        // One agent per state dir: two would follow the same node and race on the engine.
        const lock = acquireAgentLock(dir);
        try {
          return await startAgent(ctx, state, dir);
        } finally {
          lock.release();
        }
      }),
    );
}
