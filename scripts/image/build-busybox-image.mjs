#!/usr/bin/env node
// Builds a small OCI image from Debian's busybox-static (no image builder needed)
// and pushes it to a registry with skopeo. Idempotent: pushing the same image
// again leaves the registry unchanged.
//
// usage: node scripts/image/build-busybox-image.mjs [--registry 127.0.0.1:5000]
//          [--repo idyl/busybox] [--tag 1.35] [--out DIR] [--no-push]
// Prints one JSON line: {"ref": "...", "digest": "sha256:..."}.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, symlinkSync, rmSync, existsSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    registry: { type: 'string', default: '127.0.0.1:5000' },
    repo: { type: 'string', default: 'idyl/busybox' },
    tag: { type: 'string', default: '1.35' },
    out: { type: 'string' },
    busybox: { type: 'string', default: '/bin/busybox' },
    'no-push': { type: 'boolean', default: false },
  },
});

const sha256 = (buf) => `sha256:${createHash('sha256').update(buf).digest('hex')}`;

if (!existsSync(values.busybox)) {
  console.error(`build-busybox-image: ${values.busybox} not found; install Debian's busybox-static`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'idyl-image-'));
try {
  const rootfs = join(work, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'var']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync(values.busybox, join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  const applets = execFileSync(values.busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) symlinkSync('busybox', join(rootfs, 'bin', a));
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  chmodSync(join(rootfs, 'tmp'), 0o1777);

  // A reproducible layer: fixed owner, mtime and order.
  const tar = execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', rootfs, '-cf', '-', '.'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const layer = gzipSync(tar, { level: 9 });
  const config = Buffer.from(
    JSON.stringify({
      architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/bin'], Cmd: ['/bin/sh', '-c', 'echo hello from idyl; uname -r'], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
      history: [{ created_by: 'idyl build-busybox-image (busybox-static)' }],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
    }),
  );
  const layout = values.out ?? join(work, 'layout');
  mkdirSync(join(layout, 'blobs/sha256'), { recursive: true });
  for (const blob of [layer, config, manifest]) writeFileSync(join(layout, 'blobs/sha256', sha256(blob).slice(7)), blob);
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: sha256(manifest),
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': values.tag },
        },
      ],
    }),
  );
  const ref = `${values.registry}/${values.repo}:${values.tag}`;
  if (!values['no-push']) {
    execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:${values.tag}`, `docker://${ref}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  console.log(JSON.stringify({ ref, digest: sha256(manifest) }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
