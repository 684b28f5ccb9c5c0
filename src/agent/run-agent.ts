import { readFile } from 'node:fs/promises';
import { IdylError } from '../api/errors.js';
import { ApiClient } from '../client/api-client.js';
import { NodeAgent, type NodeRemoval } from './agent.js';
import { liveHost, probeHost } from './host-probe.js';
import { loadNodeState, type NodeState } from './node-state.js';
import { createDriver } from './runtime/create-driver.js';

/** A line of the agent's log. */
export type AgentLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** Builds the agent of a joined node from its state: client with the node's credential, driver, probe. */
export async function buildAgent(state: NodeState, stateDir: string, log: AgentLog): Promise<NodeAgent> {
  const ca = state.tls?.caFile ? await readFile(state.tls.caFile) : undefined;
  let credential = state.credential;
  const client = new ApiClient({
    realm: state.realm,
    token: state.credential,
    tls: { ...(ca ? { ca } : {}), ...(state.tls?.fingerprint ? { fingerprint: state.tls.fingerprint } : {}) },
    ...(state.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
    userAgent: 'idyl-agent',
  });
  const access = { ...(state.dockerSocket ? { dockerSocket: state.dockerSocket } : {}), ...(state.containerdSocket ? { containerdSocket: state.containerdSocket } : {}) };
  const host = await liveHost(access);
  const driver = await createDriver({ profile: state.runtimeProfile, stateDir, ...access });
  const declared = { microvmGPU: state.microvmGPU, ...(state.overhead ? { overhead: state.overhead } : {}) };
  return new NodeAgent({
    state,
    client,
    driver,
    host,
    probe: async () => (await probeHost(host, state.runtimeProfile, declared)).report,
    log,
    reloadCredential: async () => {
      const stored = loadNodeState(stateDir).credential;
      if (stored === credential) return false;
      credential = stored;
      client.setToken(stored);
      return true;
    },
  });
}

/**
 * Runs the agent until `signal` aborts; workloads keep running after it stops. When the
 * control plane deleted the node, the agent removes the node's containers and this
 * fails with `node_removed`: nothing is left to serve with that state dir.
 */
export async function runAgent(state: NodeState, stateDir: string, signal: AbortSignal, log: AgentLog): Promise<void> {
  const agent = await buildAgent(state, stateDir, log);
  await agent.start();
  log('info', 'agent started', { node: state.nodeId, name: state.name, profile: state.runtimeProfile, realm: state.realm });
  const removal = await Promise.race([
    agent.removed,
    new Promise<undefined>((resolve) => {
      if (signal.aborted) return resolve(undefined);
      signal.addEventListener('abort', () => resolve(undefined), { once: true });
    }),
  ]);
  await agent.stop();
  log('info', 'agent stopped', { node: state.nodeId });
  if (removal) throw nodeRemovedError(state, stateDir, removal);
}

function nodeRemovedError(state: NodeState, stateDir: string, r: NodeRemoval): IdylError {
  const node = `node ${state.name} (${state.nodeId})`;
  const hint = `join again to serve: idyl node join --subnet SUBNET --runtime-profile ${state.runtimeProfile} with another --state-dir, or after removing ${stateDir}/node.json`;
  if (r.failures.length === 0) return new IdylError('node_removed', `${node} was deleted from the control plane; its workloads were removed (${r.removed} container(s)); join again to serve`, { hint });
  return new IdylError('node_removed', `${node} was deleted from the control plane; ${r.failures.length} of its containers could not be removed: ${r.failures.join('; ')}`, {
    hint: `run idyl node start --state-dir ${stateDir} again to retry the removal once the engine answers; then ${hint}`,
  });
}

/** A log writing one JSON line per entry to `sink`. */
export function jsonLog(sink: { write(s: string): unknown }): AgentLog {
  return (level, message, fields) => sink.write(`${JSON.stringify({ t: new Date().toISOString(), level, component: 'agent', msg: message, ...fields })}\n`);
}
