import { readFile } from 'node:fs/promises';
import { ApiClient } from '../client/api-client.js';
import { NodeAgent } from './agent.js';
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

/** Runs the agent until `signal` aborts; workloads keep running after it stops. */
export async function runAgent(state: NodeState, stateDir: string, signal: AbortSignal, log: AgentLog): Promise<void> {
  const agent = await buildAgent(state, stateDir, log);
  await agent.start();
  log('info', 'agent started', { node: state.nodeId, name: state.name, profile: state.runtimeProfile, realm: state.realm });
  await new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await agent.stop();
  log('info', 'agent stopped', { node: state.nodeId });
}

/** A log writing one JSON line per entry to `sink`. */
export function jsonLog(sink: { write(s: string): unknown }): AgentLog {
  return (level, message, fields) => sink.write(`${JSON.stringify({ t: new Date().toISOString(), level, component: 'agent', msg: message, ...fields })}\n`);
}
