import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { askContainerdWithCtr } from './ctr-containerd-stand-in.js';
import { FixtureHostView } from './fixture-host-view.js';
import type { HostView } from './host-view.js';
import { LiveHostView } from './live-host-view.js';

// One host tree on disk, read by both views: the live view through its real paths
// (prefixed with the temp folder), the fixture view as a host rooted at that folder.
const root = mkdtempSync(join(tmpdir(), 'idyl-host-view-'));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'etc/kata-containers'), { recursive: true });
writeFileSync(join(root, 'etc/kata-containers/configuration-qemu.toml'), '[hypervisor.qemu]\n');
writeFileSync(join(root, 'etc/os-release'), 'ID=debian\n');
mkdirSync(join(root, 'opt/bin'), { recursive: true });
writeFileSync(join(root, 'opt/bin/tool'), '#!/bin/sh\n');
chmodSync(join(root, 'opt/bin/tool'), 0o755);
mkdirSync(join(root, 'sys/dev/0000:17:00.0'), { recursive: true });
symlinkSync('../../../bus/pci/drivers/vfio-pci', join(root, 'sys/dev/0000:17:00.0/driver'));
writeFileSync(
  join(root, 'host.json'),
  JSON.stringify({
    basics: { arch: 'amd64', kernel: '6.1.0', cpuCount: 2, memoryBytes: 2 ** 31 },
    links: { '/sys/dev/0000:17:00.0/driver': '../../../bus/pci/drivers/vfio-pci' },
  }),
);

const implementations: ReadonlyArray<{ name: string; view: HostView; at: (p: string) => string }> = [
  { name: 'LiveHostView', view: new LiveHostView({ askContainerd: askContainerdWithCtr, searchPath: [] }), at: (p) => join(root, p) },
  { name: 'FixtureHostView', view: new FixtureHostView(root), at: (p) => p },
];

for (const { name, view, at } of implementations) {
  describe(`HostView conformance: ${name}`, () => {
    test('readFile gives a file\'s text, and undefined for a missing file or a folder', async () => {
      assert.equal(await view.readFile(at('/etc/os-release')), 'ID=debian\n');
      assert.equal(await view.readFile(at('/etc/missing')), undefined);
      assert.equal(await view.readFile(at('/etc/kata-containers')), undefined);
    });

    test('exists is true for files, folders and links, false for what is not there', async () => {
      assert.equal(await view.exists(at('/etc/os-release')), true);
      assert.equal(await view.exists(at('/etc/kata-containers')), true);
      assert.equal(await view.exists(at('/sys/dev/0000:17:00.0/driver')), true);
      assert.equal(await view.exists(at('/dev/kvm')), false);
    });

    test('list names a folder\'s entries, and [] for a missing folder', async () => {
      assert.deepEqual([...(await view.list(at('/etc')))].sort(), ['kata-containers', 'os-release']);
      assert.deepEqual([...(await view.list(at('/sys/dev/0000:17:00.0')))], ['driver']);
      assert.deepEqual(await view.list(at('/nowhere')), []);
    });

    test('readLink gives a link\'s target as written, undefined for a plain file', async () => {
      assert.equal(await view.readLink(at('/sys/dev/0000:17:00.0/driver')), '../../../bus/pci/drivers/vfio-pci');
      assert.equal(await view.readLink(at('/etc/os-release')), undefined);
    });

    test('findExecutable looks only in the given folders and returns the full path', async () => {
      assert.equal(await view.findExecutable('tool', [at('/usr/bin'), at('/opt/bin')]), at('/opt/bin/tool'));
      assert.equal(await view.findExecutable('tool', [at('/usr/bin')]), undefined);
      assert.equal(await view.findExecutable('absent-tool', [at('/opt/bin')]), undefined);
    });

    test('canReadWrite is false for a path that does not exist', async () => {
      assert.equal(await view.canReadWrite(at('/dev/kvm')), false);
    });

    test('basics name an architecture idyl spells (amd64/arm64), a kernel, CPUs and memory', async () => {
      const b = await view.basics();
      assert.ok(!['x64', 'aarch64'].includes(b.arch), `arch spelled ${b.arch}`);
      assert.ok(b.kernel.length > 0 && b.cpuCount > 0 && b.memoryBytes > 0);
    });
  });
}
