import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, parseRequirement, parseRequirements, requirementMet } from './requirement.js';

describe('parseRequirement: the grammar', () => {
  const PARSED: Array<[key: string, expr: string, operator: string, value: string]> = [
    ['cuda', '>=13.0', '>=', '13.0'],
    ['kernel', '>6.1', '>', '6.1'],
    ['cuda', '<=12.4', '<=', '12.4'],
    ['cuda', '<13', '<', '13'],
    ['os', '=debian', '=', 'debian'],
    ['os', '==debian', '=', 'debian'],
    ['os', '!=alpine', '!=', 'alpine'],
    ['os', 'debian', '=', 'debian'],
    ['driver', '550.54.15', '=', '550.54.15'],
    ['cuda', '>= 13.0', '>=', '13.0'],
    ['cuda', '  >=13.0 ', '>=', '13.0'],
  ];
  for (const [key, expr, operator, value] of PARSED) {
    it(`${key}: "${expr}" → ${operator} ${value}`, () => {
      const r = parseRequirement(key, expr);
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      if (!r.ok) return;
      assert.equal(r.value.operator, operator);
      assert.equal(r.value.value, value);
      assert.equal(r.value.text, `${key} ${operator}${value}`);
    });
  }

  const MALFORMED: Array<[key: string, expr: string]> = [
    ['cuda', ''],
    ['cuda', '>='],
    ['cuda', '>=abc'],
    ['cuda', '<debian'],
    ['cuda', '=>13'],
    ['cuda', '>>13'],
    ['cuda', '13 || 14'],
    ['cuda', '~13'],
    ['Cuda', '>=13'],
    ['', '13'],
  ];
  for (const [key, expr] of MALFORMED) {
    it(`refuses ${JSON.stringify(key)}: ${JSON.stringify(expr)} with validation_failed naming spec.require.<key>`, () => {
      const r = parseRequirement(key, expr);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, 'validation_failed');
      assert.equal(r.error.details?.field, `spec.require.${key}`);
    });
  }

  it('uses the caller prefix for the field path', () => {
    const r = parseRequirement('cuda', '>=x', 'spec.template.spec.require');
    assert.ok(!r.ok && r.error.details?.field === 'spec.template.spec.require.cuda');
  });

  it('parses a map in key order and refuses the first bad entry', () => {
    const good = parseRequirements({ os: 'debian', cuda: '>=13.0' });
    assert.ok(good.ok);
    assert.deepEqual(good.ok && good.value.map((r) => r.key), ['cuda', 'os']);
    const bad = parseRequirements({ os: 'debian', kernel: '>=six' });
    assert.ok(!bad.ok && bad.error.details?.field === 'spec.require.kernel');
    const none = parseRequirements(undefined);
    assert.ok(none.ok && none.value.length === 0);
  });
});

describe('requirementMet: comparisons', () => {
  const ROWS: Array<[expr: string, attribute: string | undefined, met: boolean]> = [
    ['>=13.0', '13.0', true],
    ['>=13.0', '13', true],
    ['>=13.0', '13.1', true],
    ['>=13.0', '12.4', false],
    ['>=13.0', '12.10', false],
    ['>=6.9', '6.10', true],
    ['>6.1', '6.1.0', false],
    ['>6.1', '6.1.1', true],
    ['>=6.1', '6.1.0-18-amd64', true],
    ['>=6.2', '6.1.0-18-amd64', false],
    ['<13', '12.9', true],
    ['<13', '13.0', false],
    ['<=12.4', '12.4.0', true],
    ['=13.0', '13', true],
    ['13.0', '13.0.1', false],
    ['!=13.0', '13.0', false],
    ['!=13.0', '12.0', true],
    ['>=13.0', 'v13.2', true],
    ['>=13.0', 'unknown', false],
    ['debian', 'debian', true],
    ['debian', 'Debian', true],
    ['debian', 'ubuntu', false],
    ['!=alpine', 'debian', true],
    ['!=alpine', 'alpine', false],
    ['>=13.0', undefined, false],
    ['debian', undefined, false],
    ['!=alpine', undefined, false],
  ];
  for (const [expr, attribute, met] of ROWS) {
    it(`${expr} against ${attribute === undefined ? 'a missing attribute' : JSON.stringify(attribute)}: ${met ? 'met' : 'unmet'}`, () => {
      const r = parseRequirement('x', expr);
      assert.ok(r.ok);
      if (!r.ok) return;
      assert.equal(requirementMet(r.value, attribute), met);
    });
  }

  it('compares versions component by component', () => {
    assert.ok(compareVersions([6, 10], [6, 9]) > 0);
    assert.equal(compareVersions([13], [13, 0, 0]), 0);
    assert.ok(compareVersions([1, 2], [1, 2, 1]) < 0);
  });
});
