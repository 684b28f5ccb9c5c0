import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Workload } from '../../src/api/workload.js';
import { E2eWorld } from '../support/e2e-world.js';

const IMAGE = '127.0.0.1:5000/idyl/busybox:1.35';

/**
 * isolation.md section 2's presets, each made with `idyl subnet create` and its
 * policy flags, and what each does to a workload that states no class, states
 * `container`, or states `microvm` (section 3).
 */
const PRESETS: ReadonlyArray<{ preset: string; flags: string[]; none: string; container: string; microvm: string }> = [
  { preset: 'no runtime policy', flags: [], none: 'container/platform-default', container: 'container/explicit', microvm: 'microvm/explicit' },
  {
    preset: 'microvm with a default',
    flags: ['--allowed-isolation-class', 'microvm', '--default-isolation-class', 'microvm'],
    none: 'microvm/subnet-default',
    container: 'isolation_class_not_allowed',
    microvm: 'microvm/explicit',
  },
  {
    preset: 'strict microvm',
    flags: ['--allowed-isolation-class', 'microvm', '--require-isolation-class'],
    none: 'isolation_class_required',
    container: 'isolation_class_not_allowed',
    microvm: 'microvm/explicit',
  },
  {
    preset: 'microvm on one backend',
    flags: ['--allowed-isolation-class', 'microvm', '--allowed-vmm-backend', 'firecracker', '--default-isolation-class', 'microvm'],
    none: 'microvm/subnet-default',
    container: 'isolation_class_not_allowed',
    microvm: 'microvm/explicit',
  },
  {
    preset: 'both classes',
    flags: ['--allowed-isolation-class', 'container,microvm'],
    none: 'isolation_class_required',
    container: 'container/explicit',
    microvm: 'microvm/explicit',
  },
  {
    preset: 'both classes with a default',
    flags: ['--allowed-isolation-class', 'container', '--allowed-isolation-class', 'microvm', '--default-isolation-class', 'container'],
    none: 'container/subnet-default',
    container: 'container/explicit',
    microvm: 'microvm/explicit',
  },
];

describe('subnet presets (isolation.md section 2) and what each does to workloads (section 3), through bin/idyl', () => {
  let world: E2eWorld;
  before(async () => {
    world = await E2eWorld.start();
  });
  after(async () => {
    await world.dispose();
  });

  PRESETS.forEach((p, i) => {
    it(`${p.preset}: no class → ${p.none}; container → ${p.container}; microvm → ${p.microvm}`, async () => {
      const subnet = `preset-${i}`;
      const created = await world.cli.json<{ slug: string; runtimePolicy?: Record<string, unknown> }>(['subnet', 'create', '--region', 'lab-1', '--name', subnet, ...p.flags]);
      assert.equal(created.runtimePolicy === undefined, p.flags.length === 0, 'runtimePolicy is absent exactly when no policy flag was given');
      const before = await world.revision();
      const cases: Array<[label: string, flags: string[], expected: string]> = [
        ['none', [], p.none],
        ['container', ['--isolation-class', 'container'], p.container],
        ['microvm', ['--isolation-class', 'microvm'], p.microvm],
      ];
      const outcomes = await Promise.all(
        cases.map(async ([label, flags, expected]) => {
          const r = await world.cli.run(['run', IMAGE, '--name', `p${i}-${label}`, '--subnet', subnet, ...flags, '-o', 'json']);
          return { label, expected, r };
        }),
      );
      for (const { label, expected, r } of outcomes) {
        if (expected.includes('/')) {
          assert.equal(r.code, 0, `${label}: ${r.stderr}`);
          const w = JSON.parse(r.stdout) as Workload;
          assert.equal(`${w.status.isolation.class}/${w.status.isolation.source}`, expected, label);
          assert.equal(w.metadata.subnet, subnet);
        } else {
          assert.equal(r.code, 1, `${label} must exit 1`);
          assert.equal(r.stdout, '', `${label}: nothing on stdout`);
          const err = JSON.parse(r.stderr) as { error: { code: string; details: { field?: string; allowed?: string[] } } };
          assert.equal(err.error.code, expected, label);
          assert.equal(err.error.details.field, 'spec.isolation.class');
          assert.deepEqual(err.error.details.allowed, created.runtimePolicy?.allowedIsolationClasses);
        }
      }
      // A refused workload leaves nothing: not in the list, and no event for it.
      const refused = cases.filter(([, , expected]) => !expected.includes('/')).map(([label]) => `p${i}-${label}`);
      const names = (await world.list('pods')).map((w) => w.metadata.name);
      for (const name of refused) assert.ok(!names.includes(name), `${name} was stored`);
      const events = await world.api.call<{ items: Array<{ subject: { name?: string } }> }>('events.list', { query: { since: before, limit: 1000 } });
      for (const name of refused) assert.ok(!events.items.some((e) => e.subject.name === name), `an event names refused ${name}`);
    });
  });

  it('a refusal in table mode prints the code, the allowed classes and what to try on stderr, and exits 1', async () => {
    await world.subnet('strict-table', { allowedIsolationClasses: ['microvm'], requireExplicitIsolationClass: true });
    const r = await world.cli.run(['run', IMAGE, '--name', 'no-class', '--subnet', 'strict-table']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error: isolation_class_required: /m);
    assert.match(r.stderr, /allowed: microvm/);
    assert.match(r.stderr, /try: add --isolation-class microvm/);
  });
});
