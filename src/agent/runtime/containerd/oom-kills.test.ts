import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oomKilled } from './oom-kills.js';

function fixture(files: Record<string, string>): { root: string; done: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'idyl-cgroup-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { root, done: () => rmSync(root, { recursive: true, force: true }) };
}

describe('oomKilled: the OOM killer count of a container cgroup', () => {
  it('cgroup v2: memory.events', async () => {
    const f = fixture({ 'idyl/c1/memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n', 'idyl/c2/memory.events': 'low 0\noom 0\noom_kill 0\n' });
    assert.equal(await oomKilled('/idyl/c1', f.root), true);
    assert.equal(await oomKilled('/idyl/c2', f.root), false);
    f.done();
  });

  it('cgroup v1: memory.oom_control under the memory controller', async () => {
    const f = fixture({ 'memory/idyl/c1/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n' });
    assert.equal(await oomKilled('/idyl/c1', f.root), true);
    f.done();
  });

  it('unknown when there is no such cgroup or no counter', async () => {
    const f = fixture({ 'memory/idyl/old/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\n' });
    assert.equal(await oomKilled('/idyl/gone', f.root), undefined);
    assert.equal(await oomKilled('/idyl/old', f.root), undefined);
    f.done();
  });
});
