import { readFileSync } from 'node:fs';

/** "nabz 0.1.0", read from package.json next to dist/ (printed by the CLI and in every report's provenance). */
export function programVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return `nabz ${pkg.version}`;
  } catch {
    return 'nabz';
  }
}
