import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { TestDoubleServer } from '../../client/test-double-server.js';
import { CliHarness } from '../test-harness.js';
import { startDouble } from '../test-fixtures.js';
import { parseAccountFlag, parseNamespaceFlag } from './global-flags.js';

test('-a takes an account id, never a flag; -n takes a DNS label', () => {
  assert.equal(parseAccountFlag('123456789012'), '123456789012');
  assert.throws(() => parseAccountFlag('--subnet'), /not a flag/);
  assert.equal(parseNamespaceFlag('team-a'), 'team-a');
  for (const bad of ['..', '.', 'Bad_NS', '--subnet', '', 'a'.repeat(64), '-x']) assert.throws(() => parseNamespaceFlag(bad), /DNS label/, bad);
});

describe('global flags on the command line: a wrong value is a usage error and nothing is sent', () => {
  let double: TestDoubleServer;
  const cli = new CliHarness();
  const realm = () => ['--realm', double.url];
  before(async () => {
    double = await startDouble();
  });
  after(async () => {
    await double.stop();
    cli.cleanup();
  });

  async function usage(args: string[], message: RegExp): Promise<void> {
    const before = double.requests.length;
    const r = await cli.run([...realm(), ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^error: usage_error: /);
    assert.match(r.stderr, message);
    assert.equal(double.requests.length, before, `${args.join(' ')}: nothing sent`);
  }

  test('-a given another flag as its value (`--name -a --subnet s`) exits 2 instead of sending X-Idyl-Account: --subnet', async () => {
    await usage(['run', 'busybox', '--name', '-a', '--subnet', 's'], /-a, --account-id .*'--subnet' is invalid/);
    await usage(['-a', '--namespace', 'x', 'get', 'pods'], /account id/);
  });

  test('-n that is not a name (`..`, `Bad_NS`) exits 2 before a path is built', async () => {
    await usage(['-n', '..', 'get', 'pods'], /namespace .*'\.\.' is invalid/);
    await usage(['-n', 'Bad_NS', 'get', 'pods'], /DNS label/);
    await usage(['run', 'busybox', '--name', 'x', '--namespace', '.'], /DNS label/);
  });

  test('a path value `.` or `..` (a pod named ..) is refused before sending: the URL would resolve it to another route', async () => {
    const before = double.requests.length;
    const r = await cli.run([...realm(), 'get', 'pod', '..', '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stderr) as { error: { code: string; details: { field?: string } } };
    assert.equal(doc.error.code, 'validation_failed');
    assert.equal(doc.error.details.field, 'name');
    assert.equal(double.requests.length, before);
  });
});
