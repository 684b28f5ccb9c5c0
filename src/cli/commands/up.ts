import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { IdylError } from '../../api/errors.js';
import { isRuntimeProfile, RUNTIME_PROFILES, type RuntimeProfile } from '../../api/isolation.js';
import type { JoinResult, List } from '../../api/wire.js';
import type { NodeInfo } from '../../api/node.js';
import type { Subnet } from '../../api/subnet.js';
import { ApiClient } from '../../client/api-client.js';
import type { probeHost } from '../../agent/host-probe.js';
import { saveNodeState, type NodeState } from '../../agent/node-state.js';
import type { App } from '../app.js';
import { loadConfig, saveConfig, saveContext } from '../config/config-store.js';
import { homedirOf } from '../config/settings.js';
import { runningPid, startDetached, stopProcess, waitFor } from '../local/processes.js';
import { textOutput } from '../output/view.js';

/** The profiles `idyl up` tries, in order, when none is given. */
const LOCAL_PROFILES: readonly RuntimeProfile[] = ['containerd-runc', 'docker'];
const CONTEXT = 'local';
const SUBNET = 'local';

interface Paths {
  readonly dir: string;
  readonly serverDir: string;
  readonly nodeDir: string;
  readonly serverPid: string;
  readonly agentPid: string;
  readonly serverLog: string;
  readonly agentLog: string;
}

function pathsOf(homedir: string): Paths {
  const dir = join(homedir, 'local');
  return {
    dir,
    serverDir: join(dir, 'server'),
    nodeDir: join(dir, 'node'),
    serverPid: join(dir, 'server.pid'),
    agentPid: join(dir, 'agent.pid'),
    serverLog: join(dir, 'server.log'),
    agentLog: join(dir, 'agent.log'),
  };
}

/** `idyl up` / `idyl down`: a control plane and a node on this machine, subnet `local`, context `local`. */
export function registerUp(program: Command, app: App): void {
  program
    .command('up')
    .description('start a local control plane (embedded SQLite) and a local node, with subnet "local" and context "local"')
    .option('--runtime-profile <profile>', `the node's profile (default: the first of ${LOCAL_PROFILES.join(', ')} that passes its host checks)`)
    .option('--listen <host:port>', 'where the local control plane serves', '127.0.0.1:7070')
    .action(
      app.action<{ runtimeProfile?: string; listen: string }, []>(async (ctx) => {
        const homedir = homedirOf(ctx.flags, ctx.io.home);
        const p = pathsOf(homedir);
        mkdirSync(p.dir, { recursive: true, mode: 0o700 });
        const realm = `http://${ctx.opts.listen}`;
        const progress = ctx.progress();
        if (!runningPid(p.serverPid)) {
          progress.stage('starting the control plane');
          startDetached(['server', '--data-dir', p.serverDir, '--listen', ctx.opts.listen, '--log-level', 'warn'], p.serverLog, p.serverPid);
        }
        const healthy = await waitFor(async () => (await fetch(`${realm}/healthz`)).ok, 20_000, ctx.io.signal);
        if (!healthy) throw new IdylError('unavailable', `the local control plane did not answer on ${realm}`, { hint: `see ${p.serverLog}` });
        const token = readFileSync(join(p.serverDir, 'bootstrap-token'), 'utf8').trim();
        await saveContext(homedir, CONTEXT, { realm, token, namespace: 'default', subnet: SUBNET }, true);
        const client = new ApiClient({ realm, token });
        try {
          const subnets = await client.call<List<Subnet>>('subnets.list');
          if (!subnets.items.some((s) => s.name === SUBNET)) await client.call('subnets.create', { body: { region: 'local', name: SUBNET } });
          if (!existsSync(join(p.nodeDir, 'node.json'))) {
            progress.stage('checking this host for a runtime');
            const { profile, report } = await pickProfile(ctx.opts.runtimeProfile);
            const joined = await client.call<JoinResult>('nodes.join', { body: { subnet: SUBNET, name: 'local', report } });
            const state: NodeState = { nodeId: joined.node.id, name: joined.node.name, realm, credential: joined.credential, subnet: SUBNET, runtimeProfile: profile, microvmGPU: false, joinedAt: new Date().toISOString() };
            saveNodeState(p.nodeDir, state);
          }
          const state = JSON.parse(readFileSync(join(p.nodeDir, 'node.json'), 'utf8')) as NodeState;
          if (!runningPid(p.agentPid)) {
            progress.stage('starting the node agent');
            startDetached(['node', 'start', '--state-dir', p.nodeDir], p.agentLog, p.agentPid);
          }
          const ready = await waitFor(async () => {
            const n = await client.call<NodeInfo>('nodes.get', { params: { node: state.nodeId } });
            return n.state === 'connected' && n.verified;
          }, 30_000, ctx.io.signal);
          if (!ready) throw new IdylError('unavailable', 'the local node did not connect', { hint: `see ${p.agentLog}` });
          progress.end();
          return textOutput(
            { realm, context: CONTEXT, subnet: SUBNET, node: state.nodeId, runtimeProfile: state.runtimeProfile, dir: p.dir },
            `✓ idyl is up: control plane ${realm}, node "local" (${state.runtimeProfile}), subnet "${SUBNET}", context "${CONTEXT}"\n  try: idyl run 127.0.0.1:5000/idyl/busybox:1.35 --name hello --wait -- echo hello\n  logs in ${p.dir}; stop with: idyl down`,
          );
        } finally {
          client.close();
        }
      }),
    );

  program
    .command('down')
    .description('stop the local node agent and control plane started by `idyl up`, and the local workloads')
    .option('--purge', 'also delete the local state (store, node credential) and the "local" context')
    .action(
      app.action<{ purge?: boolean }, []>(async (ctx) => {
        const homedir = homedirOf(ctx.flags, ctx.io.home);
        const p = pathsOf(homedir);
        const agent = await stopProcess(p.agentPid);
        const server = await stopProcess(p.serverPid);
        let removed = 0;
        if (existsSync(join(p.nodeDir, 'node.json'))) {
          const state = JSON.parse(readFileSync(join(p.nodeDir, 'node.json'), 'utf8')) as NodeState;
          const { createDriver } = await import('../../agent/runtime/create-driver.js');
          const driver = await createDriver({ profile: state.runtimeProfile, stateDir: p.nodeDir });
          try {
            for (const c of await driver.list({ 'idyl.managed': 'true', 'idyl.node': state.nodeId })) {
              await driver.stop(c.id, 5_000).catch(() => {});
              await driver.remove(c.id).catch(() => {});
              removed++;
            }
          } finally {
            await driver.close();
          }
        }
        if (ctx.opts.purge) {
          rmSync(p.dir, { recursive: true, force: true });
          const config = await loadConfig(homedir);
          const { [CONTEXT]: _gone, ...rest } = config.contexts;
          await saveConfig(homedir, { contexts: rest, ...(config.currentContext && config.currentContext !== CONTEXT ? { currentContext: config.currentContext } : {}) });
        }
        return textOutput(
          { agentStopped: agent, serverStopped: server, containersRemoved: removed, purged: ctx.opts.purge === true },
          `✓ idyl is down${agent || server ? '' : ' (nothing was running)'}; ${removed} local container(s) removed${ctx.opts.purge ? '; local state purged' : ''}`,
        );
      }),
    );
}

/** The asked profile (refused when its checks fail), or the first local one that passes. */
async function pickProfile(asked: string | undefined): Promise<{ profile: RuntimeProfile; report: Awaited<ReturnType<typeof probeHost>>['report'] }> {
  if (asked !== undefined && !isRuntimeProfile(asked)) {
    throw new IdylError('validation_failed', `runtime profile "${asked}" is not one of ${RUNTIME_PROFILES.join(', ')}`, { field: 'runtimeProfile', allowed: [...RUNTIME_PROFILES] });
  }
  const { liveHost, probeHost } = await import('../../agent/host-probe.js');
  const host = await liveHost({});
  const tried: string[] = [];
  for (const profile of asked ? [asked as RuntimeProfile] : LOCAL_PROFILES) {
    const { report, checks } = await probeHost(host, profile, { microvmGPU: false });
    if (report.verified) return { profile, report };
    tried.push(`${profile}: ${checks.filter((c) => !c.ok).map((c) => `${c.name} (${c.detail})`).join('; ')}`);
  }
  throw new IdylError('unavailable', `no runtime on this host passes its checks:\n  ${tried.join('\n  ')}`, { hint: 'run scripts/host/setup.sh as root to install and start Docker and containerd' });
}
