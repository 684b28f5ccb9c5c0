import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * The repository root: `IDYL_REPO_ROOT` (set by scripts/run-tests.mjs), else three
 * levels above this compiled file (`dist/test/support/`).
 */
export function repoRoot(): string {
  return process.env.IDYL_REPO_ROOT ?? join(fileURLToPath(new URL('.', import.meta.url)), '../../..');
}
