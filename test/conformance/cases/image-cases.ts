import assert from 'node:assert/strict';
import { expectRuntimeError } from '../../support/expect-runtime-error.js';
import type { ConformanceCase } from '../suite-context.js';

/** Engine facts and images: info, pull by tag and digest, pull policies, refusals. */
export const imageCases: readonly ConformanceCase[] = [
  {
    name: 'info names the engine, its version and the runtime under test',
    async run(ctx) {
      const info = await ctx.driver.info();
      assert.equal(info.engine, ctx.driver.engine);
      assert.notEqual(info.version, '');
      assert.ok(info.runtimes.includes(ctx.harness.runtime), `${ctx.harness.runtime} not in ${info.runtimes.join(', ')}`);
      assert.ok(!info.runtimes.includes(ctx.unknownRuntime));
    },
  },
  {
    name: 'pull by tag resolves the digest the registry serves',
    async run(ctx) {
      const pulled = await ctx.driver.pull({ uri: ctx.image.ref }, 'always');
      assert.deepEqual(pulled, { digest: ctx.image.digest, pulled: true });
    },
  },
  {
    name: 'pull by digest resolves exactly that digest and a container runs from it',
    async run(ctx, t) {
      const image = { uri: ctx.image.ref, digest: ctx.image.digest };
      const pulled = await ctx.driver.pull(image, 'always');
      assert.equal(pulled.digest, ctx.image.digest);
      const done = await ctx.run(t, { image });
      assert.equal(done.exitCode, 0);
      assert.match(done.stdout, /hello from idyl/);
    },
  },
  {
    name: 'a pinned digest that the reference does not resolve to is refused with image_pull_failed',
    async run(ctx) {
      // The tag is present locally, the pinned digest is another image's: neither
      // the local tag nor a pull may stand in for the pinned content.
      const image = { uri: ctx.image.ref, digest: ctx.entryImage.digest };
      for (const policy of ['always', 'if_not_present', 'never'] as const) {
        await expectRuntimeError(ctx.driver.pull(image, policy), 'image_pull_failed', 'pull');
      }
    },
  },
  {
    name: 'pull policies: never refuses a missing image, if_not_present pulls once, always asks the registry',
    async run(ctx) {
      const image = { uri: ctx.freshImage.ref };
      const refused = await expectRuntimeError(ctx.driver.pull(image, 'never'), 'image_pull_failed', 'pull');
      assert.match(refused.message, /never/, 'the message says the pull policy kept it from pulling');
      assert.deepEqual(await ctx.driver.pull(image, 'if_not_present'), { digest: ctx.freshImage.digest, pulled: true });
      assert.deepEqual(await ctx.driver.pull(image, 'if_not_present'), { digest: ctx.freshImage.digest, pulled: false });
      assert.deepEqual(await ctx.driver.pull(image, 'never'), { digest: ctx.freshImage.digest, pulled: false });
      assert.deepEqual(await ctx.driver.pull(image, 'always'), { digest: ctx.freshImage.digest, pulled: true });
    },
  },
  {
    name: 'a bad reference is refused with image_pull_failed',
    async run(ctx) {
      const missingRepo = `${ctx.image.registry}/idyl/does-not-exist-${ctx.freshImage.digest.slice(7, 19)}:1`;
      for (const uri of ['Not/A::Reference', missingRepo, `${ctx.image.registry}/${ctx.image.repository}:no-such-tag`, '127.0.0.1:1/idyl/busybox:1.35']) {
        await expectRuntimeError(ctx.driver.pull({ uri }, 'always'), 'image_pull_failed', 'pull');
      }
    },
  },
];
