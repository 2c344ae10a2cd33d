/**
 * A clone of the repository must be enough: no source, test, benchmark, script or example may read or cite a
 * path outside it (the team's shared folder, seeds, an absolute /work path). Reference data is vendored under
 * test/goldens/reference/ and instrument facts live in docs/instrument-sources.md.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const TEXT = /\.(ts|js|mjs|cjs|json|md|R|sps|py|sh|csv|txt|html)$/;
const OUTSIDE = /\.\.\/(shared|seeds)\b|\bshared\/(reference-data|instruments|refi-qda)\b|\/work\//;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === 'node_modules' || f === 'dist') return [];
    return statSync(p).isDirectory() ? files(p) : TEXT.test(f) ? [p] : [];
  });
}

describe('the repository is self-contained', () => {
  const sources = ['src', 'test', 'bench', 'scripts', 'examples'].flatMap((d) => files(join(root, d)));
  it('scans the source folders', () => expect(sources.length).toBeGreaterThan(100));
  it('no file reads or cites a path outside the repository', () => {
    const offenders = sources.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (OUTSIDE.test(line) ? [`${relative(root, f)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
  });
});
