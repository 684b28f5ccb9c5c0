import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CATALOGUE } from '../../src/api/errors.js';
import { ROUTES, type RouteDef, type RouteId } from '../../src/api/routes.js';
import { rawCall } from '../support/http-call.js';
import { snapshotState, stateDiff } from '../support/state-snapshot.js';
import { ROUTE_CASES, WHO, type Prepared, type Who } from './route-cases.js';
import { podManifest, World } from './world.js';

// Every route of the API × every kind of caller, against a real control plane. The
// cases are keyed by the route table, so a new route without an entry fails here.
//
// "A denied request changes nothing": every table (rows with their version columns)
// and every non-audit event is compared before and after each refused call. Two
// things are deliberately left out of that comparison: the audit record a refusal
// writes (it is the record of the decision, expected, not a change of anything the
// caller asked for), and a token's lastUsedAt (bookkeeping of a valid authentication,
// written at most once a minute).

function tokenOf(w: World, who: Who, p: Prepared): string | undefined {
  switch (who) {
    case 'anonymous':
      return undefined;
    case 'wrongAccount':
      return w.tokens.outsider;
    case 'builder':
      return w.tokens.builder;
    case 'provider':
      return w.tokens.provider;
    case 'subnetOwner':
      return w.tokens.operator;
    case 'root':
      return w.tokens.root;
    case 'nodeSelf':
      return p.nodeCredential ?? w.logNode.credential;
    case 'nodeOther':
      return w.other.credential;
    case 'revoked':
      return w.tokens.revoked;
    case 'expired':
      return w.tokens.expired;
    case 'removedNode':
      return w.removed.credential;
  }
}

describe('authorization matrix: every route × every caller', () => {
  let w: World;
  before(async () => {
    w = await World.create();
  });
  after(async () => {
    await w?.close();
  });

  test('the matrix has exactly one entry per route of the route table', () => {
    assert.deepEqual(Object.keys(ROUTE_CASES).sort(), Object.keys(ROUTES).sort());
    for (const [id, c] of Object.entries(ROUTE_CASES)) assert.deepEqual(Object.keys(c.expect).sort(), [...WHO].sort(), `${id}: one outcome per caller`);
  });

  for (const id of Object.keys(ROUTES).sort() as RouteId[]) {
    const route: RouteDef = ROUTES[id];
    const c = ROUTE_CASES[id];
    test(`${id}: ${route.method} ${route.path}`, async () => {
      const wrong: string[] = [];
      for (const who of WHO) {
        const expected = c.expect[who];
        const p = await c.prepare(w);
        try {
          if (expected !== 'allow') await w.settle();
          const before = expected === 'allow' ? undefined : snapshotState(w.server.dbFile);
          const token = tokenOf(w, who, p);
          const r = await rawCall(w.url, { method: route.method, path: p.path, ...(token ? { token } : {}), ...(p.body !== undefined ? { body: p.body } : {}), stream: route.stream !== undefined });
          const got = r.status < 300 ? 'allow' : (r.code ?? `HTTP ${r.status}`);
          if (got !== expected) {
            wrong.push(`${who}: expected ${expected}, got ${got} (${r.text.slice(0, 200)})`);
            continue;
          }
          if (expected !== 'allow') {
            assert.equal(r.status, ERROR_CATALOGUE[expected].status, `${who}: HTTP status of ${expected}`);
            const changed = stateDiff(before!, snapshotState(w.server.dbFile));
            if (changed.length) wrong.push(`${who}: refused with ${expected} but changed state:\n    ${changed.join('\n    ')}`);
          } else if (p.marker && c.sees && !c.sees.includes(who) && r.text.includes(p.marker)) {
            wrong.push(`${who}: may call, but must not see ${p.marker}`);
          } else if (p.marker && c.sees?.includes(who) && !r.text.includes(p.marker)) {
            wrong.push(`${who}: should see ${p.marker} in the answer`);
          }
        } finally {
          p.cleanup?.();
        }
      }
      assert.deepEqual(wrong, [], `${id}:\n  ${wrong.join('\n  ')}`);
    });
  }

  test('a token acting for another account through X-Idyl-Account is refused, audited, and changes nothing', async () => {
    const before = snapshotState(w.server.dbFile);
    const r = await rawCall(w.url, { method: 'POST', path: '/v1/subnets', token: w.tokens.outsider, headers: { 'x-idyl-account': w.accounts.operator }, body: { region: 'lab', name: 'hijack' } });
    assert.equal(r.code, 'forbidden');
    const after = snapshotState(w.server.dbFile);
    assert.deepEqual(stateDiff(before, after), []);
    assert.equal(after.auditCount, before.auditCount + 1, 'the refusal leaves one audit record');
  });

  test('root acting through X-Idyl-Account for an account that does not exist is not_found on every route, and changes nothing', async () => {
    const subnet = await w.subnet(false);
    const missing = '999999999999';
    const calls: Array<[string, string, unknown?]> = [
      ['GET', '/v1/whoami'],
      ['POST', '/v1/subnets', { region: 'lab', name: 'ghost-subnet' }],
      ['POST', '/v1/fleets', { name: 'ghost-fleet' }],
      ['PUT', `/v1/approvals/${subnet}`],
      ['POST', '/v1/namespaces/default/workloads', podManifest('ghost-pod', subnet)],
      ['GET', '/v1/namespaces/default/workloads/pods'],
    ];
    await w.settle();
    const before = snapshotState(w.server.dbFile);
    for (const [method, path, body] of calls) {
      const r = await rawCall(w.url, { method, path, token: w.tokens.root, headers: { 'x-idyl-account': missing }, ...(body !== undefined ? { body } : {}) });
      assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
      assert.equal(r.code, 'not_found', `${method} ${path}`);
      assert.match(r.text, /no account 999999999999/, `${method} ${path}`);
    }
    assert.deepEqual(stateDiff(before, snapshotState(w.server.dbFile)), []);
  });

  test('a malformed X-Idyl-Account is validation_failed on the header for every token, before any authorization decision', async () => {
    await w.settle();
    const before = snapshotState(w.server.dbFile);
    for (const value of ['012345678901', '--subnet', '12345', 'abcdefghijkl', '1234567890123']) {
      for (const [who, token] of [['root', w.tokens.root], ['outsider', w.tokens.outsider], ['node', w.other.credential]] as const) {
        const r = await rawCall(w.url, { method: 'POST', path: '/v1/subnets', token, headers: { 'x-idyl-account': value }, body: { region: 'lab', name: 'malformed' } });
        assert.equal(r.code, 'validation_failed', `${who} with ${value}: ${r.text}`);
        assert.equal((r.json as { error: { details: { field: string } } }).error.details.field, 'X-Idyl-Account', `${who} with ${value}`);
      }
    }
    const after = snapshotState(w.server.dbFile);
    assert.deepEqual(stateDiff(before, after), []);
    assert.equal(after.auditCount, before.auditCount, 'a malformed request is not an authorization decision: nothing audited');
  });

  test('every namespaced route refuses a path namespace that is not a name, listing included', async () => {
    for (const [method, path] of [
      ['GET', '/v1/namespaces/Bad_NS/workloads/pods'],
      ['GET', '/v1/namespaces/Bad_NS/workloads/pods/p'],
      ['DELETE', '/v1/namespaces/Bad_NS/workloads/pods/p'],
      ['GET', '/v1/namespaces/Bad_NS/workloads/pods/p/logs'],
      ['GET', `/v1/namespaces/${'n'.repeat(64)}/workloads/deployments`],
    ] as const) {
      const r = await rawCall(w.url, { method, path, token: w.tokens.builder, stream: path.endsWith('/logs') });
      assert.equal(r.code, 'validation_failed', `${method} ${path}: ${r.text}`);
      assert.equal((r.json as { error: { details: { field: string } } }).error.details.field, 'namespace', `${method} ${path}`);
    }
  });
});
