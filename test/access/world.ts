import { setTimeout as sleep } from 'node:timers/promises';
import type { CapabilityReport } from '../../src/api/node.js';
import { rawCall, type RawResponse } from '../support/http-call.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { NodeDouble } from './node-double.js';

/** A capability report as a docker node whose host checks passed would send it. */
export function dockerReport(): CapabilityReport {
  return {
    runtimeProfile: 'docker',
    verified: true,
    checks: [{ name: 'docker.engine', ok: true, detail: 'Docker Engine answers' }],
    platform: 'linux/amd64',
    kernel: '6.1.0',
    capacity: { cpuMillis: 4000, memoryBytes: 8 * 1024 ** 3 },
    engine: { name: 'docker', version: '24.0.0' },
    runtimes: ['runc'],
    gpus: [],
    attributes: {},
    microvmGPU: false,
  };
}

/** A joined node: its id and its own credential. */
export interface JoinedNode {
  readonly id: string;
  readonly credential: string;
}

/**
 * Three parties who do not trust each other, plus an outsider and root, on one control
 * plane (accounts made through the API as a user would):
 * - operator: owns subnets `s` (builder granted, provider fleet granted), `parking`
 *   (builder granted; no nodes, so pods there stay Pending), `logs` (builder granted,
 *   one node served by a node double) and `closed` (invite, nobody granted);
 * - builder: approved `s`, `parking` and `logs`; one revoked and one expired token;
 * - provider: fleet `fleet`, node `other` in `s`, node `logNode` in `logs`, and node
 *   `removed`, joined into `s` and deleted (its credential is the removed node's);
 * - outsider: an account with nothing.
 */
export class World {
  readonly tokens: Record<'root' | 'operator' | 'builder' | 'provider' | 'outsider' | 'revoked' | 'expired', string> = {} as never;
  readonly accounts: Record<'operator' | 'builder' | 'provider' | 'outsider', string> = {} as never;
  fleet = '';
  other!: JoinedNode;
  logNode!: JoinedNode;
  removed!: JoinedNode;
  double!: NodeDouble;
  /** A pod of the builder placed on `logNode`, sharing its logs with the provider. */
  logPod = { id: '', name: '' };
  private counter = 0;

  private constructor(readonly server: InProcessServer) {}

  static async create(): Promise<World> {
    const w = new World(await startInProcessServer());
    await w.build();
    return w;
  }

  get url(): string {
    return this.server.url;
  }

  /** A unique name for this run. */
  name(hint: string): string {
    return `${hint}-${++this.counter}`;
  }

  /** Calls the API as `token` and insists on success. */
  async ok(token: string, method: string, path: string, body?: unknown): Promise<RawResponse> {
    const r = await rawCall(this.url, { method, path, token, ...(body !== undefined ? { body } : {}) });
    if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${r.text}`);
    return r;
  }

  /** A new subnet of the operator; `grantBuilder` also admits and approves it for the builder. */
  async subnet(grantBuilder: boolean): Promise<string> {
    const name = this.name('sn');
    await this.ok(this.tokens.operator, 'POST', '/v1/subnets', { region: 'lab', name });
    if (grantBuilder) {
      await this.ok(this.tokens.operator, 'POST', `/v1/subnets/${name}/admission/grants`, { developerAccount: this.accounts.builder });
      await this.ok(this.tokens.builder, 'PUT', `/v1/approvals/${name}`);
    }
    return name;
  }

  /** A node of the provider joined (in its fleet) into `subnet`. */
  async join(subnet: string): Promise<JoinedNode> {
    const r = await this.ok(this.tokens.provider, 'POST', '/v1/nodes', { subnet, fleet: this.fleet, name: this.name('node'), report: dockerReport() });
    const j = r.json as { node: { id: string }; credential: string };
    return { id: j.node.id, credential: j.credential };
  }

  /** A Pod of the builder in `parking`, waited on until the planner wrote its verdict. */
  async parkedPod(): Promise<{ id: string; name: string }> {
    const name = this.name('pod');
    const r = await this.ok(this.tokens.builder, 'POST', '/v1/namespaces/default/workloads', podManifest(name, 'parking'));
    const id = (r.json as { metadata: { id: string } }).metadata.id;
    await this.until(async () => {
      const p = await this.ok(this.tokens.builder, 'GET', `/v1/namespaces/default/workloads/pods/${name}`);
      return (p.json as { status: { unschedulable?: unknown } }).status.unschedulable !== undefined;
    }, `pod ${name} diagnosed`);
    await this.settle();
    return { id, name };
  }

  /** Waits until the event log stops growing (the planner and controllers are idle). */
  async settle(): Promise<void> {
    let last = -1;
    for (let i = 0; i < 100; i++) {
      const r = await this.ok(this.tokens.root, 'GET', '/v1/events?limit=1');
      const rev = (r.json as { revision: number }).revision;
      if (rev === last) return;
      last = rev;
      await sleep(20);
    }
    throw new Error('the control plane did not settle');
  }

  async until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  async close(): Promise<void> {
    this.double?.close();
    await this.server.close();
  }

  private async build(): Promise<void> {
    const t = this.tokens as Record<string, string>;
    const a = this.accounts as Record<string, string>;
    const root = this.server.rootToken;
    t.root = root;
    for (const who of ['operator', 'builder', 'provider', 'outsider'] as const) {
      const id = ((await this.ok(root, 'POST', '/v1/accounts', { name: who })).json as { id: string }).id;
      a[who] = id;
      t[who] = ((await this.ok(root, 'POST', '/v1/tokens', { name: `${who}-cli`, accountId: id })).json as { token: string }).token;
    }
    const builder = this.tokens.builder;
    const revoked = (await this.ok(builder, 'POST', '/v1/tokens', { name: 'revoked' })).json as { id: string; token: string };
    await this.ok(builder, 'DELETE', `/v1/tokens/${revoked.id}`);
    t.revoked = revoked.token;
    t.expired = ((await this.ok(builder, 'POST', '/v1/tokens', { name: 'short', expiresIn: '1s' })).json as { token: string }).token;

    const { operator, provider } = this.tokens;
    this.fleet = ((await this.ok(provider, 'POST', '/v1/fleets', { name: 'rack' })).json as { id: string }).id;
    for (const s of ['s', 'parking', 'logs']) {
      await this.ok(operator, 'POST', '/v1/subnets', { region: 'lab', name: s });
      await this.ok(operator, 'POST', `/v1/subnets/${s}/admission/grants`, { developerAccount: this.accounts.builder });
      await this.ok(builder, 'PUT', `/v1/approvals/${s}`);
      if (s !== 'parking') await this.ok(operator, 'POST', `/v1/subnets/${s}/admission/grants`, { providerFleet: this.fleet });
    }
    await this.ok(operator, 'POST', '/v1/subnets', { region: 'lab', name: 'closed' });
    this.other = await this.join('s');
    this.logNode = await this.join('logs');
    this.removed = await this.join('s');
    await this.ok(provider, 'DELETE', `/v1/nodes/${this.removed.id}`);
    this.double = new NodeDouble(this.url, this.logNode.id, this.logNode.credential);
    await this.double.connect();
    const name = 'shared-logs';
    const pod = await this.ok(builder, 'POST', '/v1/namespaces/default/workloads', podManifest(name, 'logs', ['logs']));
    this.logPod = { id: (pod.json as { metadata: { id: string } }).metadata.id, name };
    await this.until(async () => {
      const p = await this.ok(builder, 'GET', `/v1/namespaces/default/workloads/pods/${name}`);
      return (p.json as { status: { placement?: { node: string } } }).status.placement?.node === this.logNode.id;
    }, 'the shared-logs pod placed on the log node');
    // The expired token must have run out before the matrix starts.
    await sleep(1100);
    await this.settle();
  }
}

/** A one-container Pod manifest of the busybox test image. */
export function podManifest(name: string, subnet: string, share?: readonly string[]): unknown {
  return {
    kind: 'Pod',
    metadata: { name, subnet },
    spec: {
      containers: [{ name: 'main', imageURI: '127.0.0.1:5000/idyl/busybox:1.35', args: ['sleep', '3600'], env: [{ name: 'API_KEY', value: 'builder-private-value' }] }],
      restartPolicy: 'never',
      ...(share ? { shareWithProvider: share } : {}),
    },
  };
}
