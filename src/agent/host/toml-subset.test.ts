import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fixtureHostsDir } from './fixture-host-view.js';
import { parseToml, tomlTableAt } from './toml-subset.js';

function parsed(text: string) {
  const result = parseToml(text);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.value;
}

function error(text: string): string {
  const result = parseToml(text);
  assert.ok(!result.ok, 'expected a parse error');
  return result.error;
}

describe('TOML reader for Kata configs', () => {
  test('reads the shipped shape of a Kata QEMU config: sections, arrays over lines, comments', () => {
    const text = readFileSync(join(fixtureHostsDir(), 'kata-qemu-healthy/opt/kata/share/defaults/kata-containers/configuration-qemu.toml'), 'utf8');
    const doc = parsed(text);
    const qemu = tomlTableAt(doc, ['hypervisor', 'qemu']);
    assert.equal(qemu?.path, '/opt/kata/bin/qemu-system-x86_64');
    assert.equal(qemu?.default_memory, 2048);
    assert.equal(qemu?.disable_block_device_use, false);
    assert.deepEqual(qemu?.valid_entropy_sources, ['/dev/urandom', '/dev/random', '']);
    assert.deepEqual(tomlTableAt(doc, ['agent', 'kata'])?.kernel_modules, []);
  });

  test('reads every string kind, escapes, numbers, dotted keys, inline tables and arrays of tables', () => {
    const doc = parsed(
      [
        `basic = "a\\tb \\u00e9 \\"q\\""`,
        `literal = 'C:\\path'`,
        'multi = """',
        'one \\',
        '   two"""',
        "raw = '''x\\ny'''",
        'hex = 0x1F',
        'float = -1_000.5e0',
        'when = 1979-05-27T07:32:00Z',
        'a.b."c d" = true',
        'inline = { x = 1, y = "z" }',
        '[[runtime.item]]',
        'n = 1',
        '[[runtime.item]]',
        'n = 2',
      ].join('\n'),
    );
    assert.equal(doc.basic, 'a\tb é "q"');
    assert.equal(doc.literal, 'C:\\path');
    assert.equal(doc.multi, 'one two');
    assert.equal(doc.raw, 'x\\ny');
    assert.equal(doc.hex, 31);
    assert.equal(doc.float, -1000.5);
    assert.equal(doc.when, '1979-05-27T07:32:00Z');
    assert.equal(tomlTableAt(doc, ['a', 'b'])?.['c d'], true);
    assert.deepEqual(doc.inline, { x: 1, y: 'z' });
    assert.deepEqual(tomlTableAt(doc, ['runtime'])?.item, [{ n: 1 }, { n: 2 }]);
  });

  test('an unquoted path is an error with its line, not a guess', () => {
    assert.match(error('[hypervisor.qemu]\n\nkernel = /boot/vmlinuz\n'), /^line 3: /);
  });

  test('duplicate keys, duplicate tables, unterminated strings and trailing junk are errors', () => {
    assert.match(error('a = 1\na = 2\n'), /line 2: duplicate key "a"/);
    assert.match(error('[x]\n[x]\n'), /line 2: table \[x\] is defined twice/);
    assert.match(error('path = "/opt/kata\n'), /line 1: unterminated string/);
    assert.match(error('path = "/a" "/b"\n'), /line 1: unexpected/);
    assert.match(error('[hypervisor.qemu\n'), /expected \]/);
    assert.match(error('list = [1, 2\n'), /expected "," or "\]"/);
  });

  test('a value cannot be turned into a table later', () => {
    assert.match(error('hypervisor = "qemu"\n[hypervisor.qemu]\n'), /already a value|is a value/);
  });
});
