import assert from 'node:assert/strict';
import { RUN_LABEL, TEST_LABEL } from '../../support/run-id.js';
import { expectRuntimeError } from '../../support/expect-runtime-error.js';
import type { ConformanceCase } from '../suite-context.js';

/** Create, labels, list, stop, remove, inspect, wait and the runtime name. */
export const lifecycleCases: readonly ConformanceCase[] = [
  {
    name: 'the runtime recorded for a container is the one requested, never empty (field case 8)',
    async run(ctx, t) {
      const spec = ctx.spec(t, { command: ['/bin/true'] });
      const created = await ctx.driver.create(spec);
      assert.equal(created.state, 'created');
      assert.equal(created.runtime, ctx.harness.runtime);
      const inspected = await ctx.driver.inspect(created.id);
      assert.equal(inspected?.state, 'created');
      assert.equal(inspected?.runtime, ctx.harness.runtime);
      const listed = await ctx.driver.list({ [TEST_LABEL]: spec.labels[TEST_LABEL] ?? '', [RUN_LABEL]: spec.labels[RUN_LABEL] ?? '' });
      assert.deepEqual(listed.map((c) => c.runtime), [ctx.harness.runtime]);
    },
  },
  {
    name: 'labels are on the container and list finds exactly the labelled ones',
    async run(ctx, t) {
      const first = ctx.spec(t, { command: ['/bin/true'] });
      const shared = { [RUN_LABEL]: first.labels[RUN_LABEL] ?? '', [TEST_LABEL]: first.labels[TEST_LABEL] ?? '' };
      const a = await ctx.driver.create({ ...first, labels: { ...first.labels, 'idyl.workload': 'a' } });
      const second = ctx.spec(t, { command: ['/bin/true'], labels: { ...shared, 'idyl.workload': 'b' } });
      const b = await ctx.driver.create(second);
      const unrelated = await ctx.driver.create(ctx.spec(t, { command: ['/bin/true'] }));
      assert.deepEqual(unrelated.labels[RUN_LABEL], shared[RUN_LABEL]);
      assert.equal((await ctx.driver.inspect(a.id))?.labels['idyl.workload'], 'a');
      assert.deepEqual((await ctx.driver.inspect(b.id))?.labels, second.labels);
      const ids = (selector: Record<string, string>) => ctx.driver.list(selector).then((found) => found.map((c) => c.id).sort());
      assert.deepEqual(await ids(shared), [a.id, b.id].sort());
      assert.deepEqual(await ids({ ...shared, 'idyl.workload': 'a' }), [a.id]);
      assert.deepEqual(await ids({ ...shared, 'idyl.workload': 'c' }), []);
      // Same run, other test: carries the run label and still stays out of the answer.
      assert.ok((await ids({ [RUN_LABEL]: shared[RUN_LABEL] ?? '' })).includes(unrelated.id));
    },
  },
  {
    name: 'a running container reports its pid and stop ends it',
    async run(ctx, t) {
      const id = await ctx.launch(t, { command: ['/bin/sleep', '300'] });
      const running = await ctx.driver.inspect(id);
      assert.equal(running?.state, 'running');
      assert.ok((running?.pid ?? 0) > 0, 'a running container has a host pid');
      assert.ok(running?.startedAt, 'a running container has startedAt');
      await ctx.driver.stop(id, 1000);
      assert.equal((await ctx.driver.inspect(id))?.state, 'exited');
    },
  },
  {
    name: 'stop and remove are idempotent and inspect of a removed container is undefined',
    async run(ctx, t) {
      const never = await ctx.driver.create(ctx.spec(t, { command: ['/bin/true'] }));
      await ctx.driver.stop(never.id, 1000);
      const id = await ctx.launch(t, { command: ['/bin/sleep', '300'] });
      await ctx.driver.stop(id, 1000);
      await ctx.driver.stop(id, 1000);
      for (const target of [id, never.id]) {
        await ctx.driver.remove(target);
        await ctx.driver.remove(target);
        assert.equal(await ctx.driver.inspect(target), undefined);
        await ctx.driver.stop(target, 1000);
      }
      assert.equal(await ctx.driver.inspect('idyl-never-existed-0000'), undefined);
    },
  },
  {
    name: 'wait rejects when its signal aborts and leaves the container running',
    async run(ctx, t) {
      const id = await ctx.launch(t, { command: ['/bin/sleep', '300'] });
      const controller = new AbortController();
      const waiting = ctx.driver.wait(id, controller.signal);
      setTimeout(() => controller.abort(), 200);
      await assert.rejects(waiting);
      assert.equal((await ctx.driver.inspect(id))?.state, 'running');
    },
  },
  {
    name: 'an unknown runtime is refused with runtime_unavailable and nothing is left running',
    async run(ctx, t) {
      const spec = ctx.spec(t, { runtime: ctx.unknownRuntime, command: ['/bin/sleep', '300'] });
      await expectRuntimeError(
        (async () => {
          const created = await ctx.driver.create(spec);
          await ctx.driver.start(created.id);
        })(),
        'runtime_unavailable',
      );
      const left = await ctx.driver.list(spec.labels);
      assert.deepEqual(left.filter((c) => c.state === 'running'), []);
    },
  },
];
