/**
 * bench/ablations/*.patch are applied to HEAD by `bench/ingest.mjs --ablate` (docs/benchmarks.md): a patch that
 * no longer applies would make that comparison fail at the worst moment. Each must apply cleanly to this tree.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const dir = join(root, 'bench', 'ablations');
const patches = readdirSync(dir).filter((f) => f.endsWith('.patch'));

describe('bench ablation patches', () => {
  it('there is at least the privacy one', () => {
    expect(patches).toContain('privacy-off.patch');
  });
  it.each(patches)('%s applies to this tree', (name) => {
    // `git apply --check` applies nothing; it fails (non-zero exit, which throws) when a hunk does not fit.
    expect(() =>
      execFileSync('git', ['apply', '--check', join(dir, name)], { cwd: root, stdio: 'pipe' }),
    ).not.toThrow();
  });
});
