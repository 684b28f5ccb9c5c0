import assert from 'node:assert/strict';
import { drainLogs } from '../../support/drain-logs.js';
import type { ConformanceCase } from '../suite-context.js';

// Reads a cgroup file under v2's or v1's layout, whichever the container sees.
const cgroupRead = (v2: string, v1: string): string[] => ['/bin/sh', '-c', `cat /sys/fs/cgroup/${v2} 2>/dev/null || cat /sys/fs/cgroup/${v1}`];

/** What the process inside sees: output, env, command/args, exit code, limits. */
export const processCases: readonly ConformanceCase[] = [
  {
    name: 'a started container\'s output reaches logs with stdout and stderr apart',
    async run(ctx, t) {
      const done = await ctx.run(t, { command: ['/bin/sh', '-c', 'echo to-stdout; echo to-stderr >&2'] });
      assert.equal(done.exitCode, 0);
      assert.equal(done.stdout, 'to-stdout\n');
      assert.equal(done.stderr, 'to-stderr\n');
    },
  },
  {
    name: 'env reaches the process',
    async run(ctx, t) {
      const env = { IDYL_GREETING: 'hello world', IDYL_EQUALS: 'a=b=c', IDYL_EMPTY: '' };
      const done = await ctx.run(t, { env, command: ['/bin/sh', '-c', 'echo "[$IDYL_GREETING][$IDYL_EQUALS][${IDYL_EMPTY-unset}]"'] });
      assert.equal(done.stdout, '[hello world][a=b=c][]\n');
    },
  },
  {
    name: 'without command or args the image defaults run',
    async run(ctx, t) {
      assert.match((await ctx.run(t)).stdout, /^hello from idyl\n/);
      assert.equal((await ctx.run(t, { image: { uri: ctx.entryImage.ref } })).stdout, 'entry default\n');
    },
  },
  {
    name: 'args replace the image cmd and keep its entrypoint',
    async run(ctx, t) {
      assert.equal((await ctx.run(t, { image: { uri: ctx.entryImage.ref }, args: ['x', 'y'] })).stdout, 'entry x y\n');
      assert.equal((await ctx.run(t, { args: ['/bin/echo', 'only-args'] })).stdout, 'only-args\n');
    },
  },
  {
    name: 'command replaces the image entrypoint and drops its cmd',
    async run(ctx, t) {
      const entry = { uri: ctx.entryImage.ref };
      assert.equal((await ctx.run(t, { image: entry, command: ['/bin/echo', 'cmd'] })).stdout, 'cmd\n');
      assert.equal((await ctx.run(t, { image: entry, command: ['/bin/echo', 'cmd'], args: ['arg'] })).stdout, 'cmd arg\n');
      // The image without an entrypoint: its cmd must not be appended to the command.
      assert.equal((await ctx.run(t, { command: ['/bin/echo'] })).stdout, '\n');
    },
  },
  {
    name: 'the exit code reaches wait and inspect',
    async run(ctx, t) {
      const done = await ctx.run(t, { command: ['/bin/sh', '-c', 'exit 3'] });
      assert.equal(done.exitCode, 3);
      const info = await ctx.driver.inspect(done.id);
      assert.equal(info?.state, 'exited');
      assert.equal(info?.exitCode, 3);
      assert.ok(info?.finishedAt, 'an exited container has finishedAt');
      assert.equal(info?.pid, undefined, 'an exited container has no pid');
    },
  },
  {
    name: 'a container the kernel kills for going over its memory limit is reported OOM-killed; another SIGKILL is not',
    async run(ctx, t) {
      // The shell holds 64 MB of output in a variable, under a 16 MiB limit.
      const hog = await ctx.run(t, { memoryBytes: 16 * 1024 * 1024, command: ['/bin/sh', '-c', 'a=$(head -c 67108864 /dev/zero | tr "\\0" x); echo survived'] });
      assert.equal(hog.exitCode, 137, hog.stdout);
      assert.equal((await ctx.driver.inspect(hog.id))?.oomKilled, true);
      const killed = await ctx.launch(t, { memoryBytes: 16 * 1024 * 1024, command: ['/bin/sleep', '300'] });
      await ctx.driver.stop(killed, 0);
      assert.equal(await ctx.driver.wait(killed), 137);
      assert.equal((await ctx.driver.inspect(killed))?.oomKilled, undefined);
    },
  },
  {
    name: 'the memory limit is applied to the container',
    async run(ctx, t) {
      const done = await ctx.run(t, { memoryBytes: 96 * 1024 * 1024, command: cgroupRead('memory.max', 'memory/memory.limit_in_bytes') });
      assert.equal(done.exitCode, 0, done.stderr);
      assert.equal(done.stdout.trim(), String(96 * 1024 * 1024));
    },
  },
  {
    name: 'the CPU limit is applied to the container',
    async run(ctx, t) {
      const command = ['/bin/sh', '-c', 'cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo "$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"'];
      const done = await ctx.run(t, { cpuMillis: 250, command });
      const [quota, period] = done.stdout.trim().split(/\s+/).map(Number);
      assert.ok(quota && period, `no CPU quota in "${done.stdout.trim()}" (${done.stderr})`);
      assert.equal(quota / period, 0.25);
    },
  },
  {
    name: 'exec returns the output and exit code of a command in a running container',
    async run(ctx, t) {
      const id = await ctx.launch(t, { command: ['/bin/sleep', '300'], env: { IDYL_SEEN: 'yes' } });
      const result = await ctx.driver.exec(id, ['/bin/sh', '-c', 'echo "out $IDYL_SEEN"; echo err >&2; exit 4'], 10_000);
      assert.deepEqual(result, { exitCode: 4, stdout: 'out yes\n', stderr: 'err\n' });
      assert.deepEqual(await ctx.driver.exec(id, ['/bin/true'], 10_000), { exitCode: 0, stdout: '', stderr: '' });
    },
  },
  {
    name: 'exec that outlives its timeout rejects with a RuntimeError',
    async run(ctx, t) {
      const id = await ctx.launch(t, { command: ['/bin/sleep', '300'] });
      const started = Date.now();
      await assert.rejects(ctx.driver.exec(id, ['/bin/sleep', '30'], 500), (error: Error) => error.name === 'RuntimeError');
      assert.ok(Date.now() - started < 10_000, 'the timeout cut the exec short');
    },
  },
  {
    name: 'logs with follow end when the container exits',
    async run(ctx, t) {
      const id = await ctx.launch(t, { command: ['/bin/sh', '-c', 'echo one; sleep 1; echo two >&2; sleep 1; echo three'] });
      const logs = await drainLogs(ctx.driver, id, { follow: true });
      assert.equal(logs.stdout, 'one\nthree\n');
      assert.equal(logs.stderr, 'two\n');
      assert.equal((await ctx.driver.inspect(id))?.state, 'exited');
    },
  },
  {
    name: 'logs with follow end when their signal aborts',
    async run(ctx, t) {
      const id = await ctx.launch(t, { command: ['/bin/sh', '-c', 'echo ready; exec sleep 300'] });
      const controller = new AbortController();
      let seen = '';
      for await (const chunk of ctx.driver.logs(id, { follow: true, signal: controller.signal })) {
        seen += chunk.data.toString('utf8');
        controller.abort();
      }
      assert.equal(seen, 'ready\n');
      assert.equal((await ctx.driver.inspect(id))?.state, 'running', 'aborting the logs leaves the container alone');
    },
  },
  {
    name: 'logs with tail give only the last lines',
    async run(ctx, t) {
      const done = await ctx.run(t, { command: ['/bin/sh', '-c', 'for i in 1 2 3 4 5; do echo $i; done'] });
      assert.equal((await drainLogs(ctx.driver, done.id, { follow: false, tail: 2 })).stdout, '4\n5\n');
    },
  },
];
