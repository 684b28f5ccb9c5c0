import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../logger.js';
import type { ServiceDeps } from '../services/deps.js';
import type { Store } from '../store/store.js';
import { PlanningLoop } from './planning-loop.js';

test('a planning round that fails is tried again on its own, without another kick', async () => {
  let reads = 0;
  const lines: string[] = [];
  // A store whose first read fails (a full disk, say), then holds no pending pod.
  const store = {
    dialect: 'sqlite',
    read: {
      events: {
        latestRevision: async () => {
          reads++;
          if (reads === 1) throw new Error('database or disk is full');
          return 0;
        },
      },
      workloads: { list: async () => [] },
    },
  } as unknown as Store;
  const logger = createLogger('error', 'test', (l) => lines.push(l));
  const deps: ServiceDeps = { store, now: () => new Date(), logger, settings: { heartbeatTimeoutMs: 15_000, heartbeatIntervalMs: 5_000, nodeLostTimeoutMs: 300_000 }, kick: () => {} };
  const loop = new PlanningLoop(deps, logger);
  loop.start();
  const deadline = Date.now() + 5_000;
  while (reads < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await loop.stop();
  assert.equal(reads, 2);
  assert.match(lines.join(''), /planning round failed; trying again/);
});
