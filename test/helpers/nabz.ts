/** Running the built `nabz` command (dist/cli/main.js; `npm test` builds first) from a test. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');
export const cli = join(root, 'dist', 'cli', 'main.js');

/** Run `nabz ARGS…` and return its exit code, standard output and standard error. */
export function nabz(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
