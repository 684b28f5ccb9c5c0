import type { RuntimeProfile } from '../../src/api/isolation.js';
import type { CapabilityReport } from '../../src/api/node.js';
import type { RuntimePolicy, Subnet } from '../../src/api/subnet.js';
import type { Workload } from '../../src/api/workload.js';
import { ApiClient } from '../../src/client/api-client.js';
import { IdylCli } from './idyl-cli.js';
import { startIdylServer, type IdylServer, type IdylServerOptions } from './idyl-server.js';
import { rawCall, type RawAnswer, type RawRequest } from './raw-api.js';
import { fakeReport, TestNodeClient, type AutoRun } from './test-node-client.js';
import { waitUntil } from './wait-until.js';

/** How a test node joins. */
export interface TestNodeOptions {
  readonly name?: string;
  /** The report it joins with; default a fake verified report of the profile. */
  readonly report?: CapabilityReport | Record<string, unknown>;
  /** Overrides on the default fake report. */
  readonly reportOverrides?: Partial<CapabilityReport>;
  /** Heartbeat (a live node); default true. */
  readonly heartbeat?: boolean;
  /** Open the assignment stream; default true. */
  readonly connect?: boolean;
  /** Report `Running` for what it is assigned; default `running`. */
  readonly autoRun?: AutoRun;
}

/**
 * One end-to-end test world: a real `idyl server` child process on a temp dir, a
 * user's `bin/idyl` logged in as the root account's admin, an API client with the
 * same token for set-up and checks, and test node clients that are closed at the end.
 */
export class E2eWorld {
  readonly nodes: TestNodeClient[] = [];

  private constructor(
    readonly server: IdylServer,
    readonly cli: IdylCli,
    readonly api: ApiClient,
  ) {}

  /** Starts the server and logs the CLI in. */
  static async start(options: IdylServerOptions = {}): Promise<E2eWorld> {
    const server = await startIdylServer(options);
    const cli = new IdylCli();
    const world = new E2eWorld(server, cli, new ApiClient({ realm: server.url, token: server.token, timeoutMs: 15_000 }));
    await cli.ok(['login', '--realm', server.url, '--token', server.token]);
    return world;
  }

  /** A raw HTTP call with the admin token (override with `req.token`). */
  raw(method: string, path: string, req: RawRequest = {}): Promise<RawAnswer> {
    return rawCall(this.server.url, this.server.token, method, path, req);
  }

  /** Creates a subnet (through the API) and returns its bound name. */
  async subnet(name: string, runtimePolicy?: RuntimePolicy, region = 'lab-1'): Promise<string> {
    await this.api.call<Subnet>('subnets.create', { body: { region, name, ...(runtimePolicy ? { runtimePolicy } : {}) } });
    return name;
  }

  /** Joins a test node (fake report) to `subnet`; heartbeating and streaming unless told otherwise. */
  async node(subnet: string, profile: RuntimeProfile, options: TestNodeOptions = {}): Promise<TestNodeClient> {
    const report = options.report ?? fakeReport(profile, options.reportOverrides);
    const node = await TestNodeClient.join(this.server.url, this.server.token, {
      subnet,
      report,
      ...(options.name ? { name: options.name } : {}),
      autoRun: options.autoRun ?? 'running',
    });
    this.nodes.push(node);
    if (options.heartbeat !== false) node.startHeartbeats(300);
    if (options.connect !== false) node.connect();
    return node;
  }

  /** A workload as the API returns it (default namespace). */
  workload(kind: string, name: string): Promise<Workload> {
    return this.api.call<Workload>('workloads.get', { params: { namespace: 'default', kind, name } });
  }

  /** Every workload of a kind in the default namespace. */
  async list(kind: string): Promise<Workload[]> {
    return (await this.api.call<{ items: Workload[] }>('workloads.list', { params: { namespace: 'default', kind } })).items;
  }

  /** Waits until the workload satisfies `accept`; resolves it. */
  waitFor(kind: string, name: string, what: string, accept: (w: Workload) => boolean, timeoutMs = 10_000): Promise<Workload> {
    return waitUntil(`${kind} ${name} ${what}`, async () => {
      const w = await this.workload(kind, name);
      return accept(w) ? w : false;
    }, timeoutMs);
  }

  /** The event log's latest revision. */
  async revision(): Promise<number> {
    return (await this.api.call<{ revision: number }>('events.list', { query: { limit: 1 } })).revision;
  }

  /** Closes the test nodes, stops the server and removes the temp dirs. */
  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.close()));
    this.api.close();
    await this.server.dispose();
    this.cli.dispose();
  }
}
