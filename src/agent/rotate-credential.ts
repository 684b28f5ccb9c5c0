import { readFile } from 'node:fs/promises';
import { ApiClient } from '../client/api-client.js';
import { loadNodeState, saveNodeState, type NodeState } from './node-state.js';

/**
 * The node rotates its own credential: it asks the control plane for a new one with
 * the stored credential (which stops working at once) and stores the new one in its
 * state dir. A running agent of the same state dir notices the refusal of the old
 * credential and picks the new one up from the file. Returns the updated state.
 */
export async function rotateOwnCredential(stateDir: string, signal?: AbortSignal): Promise<NodeState> {
  const state = loadNodeState(stateDir);
  const ca = state.tls?.caFile ? await readFile(state.tls.caFile) : undefined;
  const client = new ApiClient({
    realm: state.realm,
    token: state.credential,
    tls: { ...(ca ? { ca } : {}), ...(state.tls?.fingerprint ? { fingerprint: state.tls.fingerprint } : {}) },
    ...(state.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
    userAgent: 'idyl-agent',
    ...(signal ? { signal } : {}),
  });
  try {
    const { credential } = await client.call<{ credential: string }>('nodes.rotate', { params: { node: state.nodeId } });
    const next: NodeState = { ...state, credential };
    saveNodeState(stateDir, next);
    return next;
  } finally {
    client.close();
  }
}
