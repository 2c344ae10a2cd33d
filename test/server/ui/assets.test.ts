import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODE_PALETTE, tint } from '../../../src/server/qual/assets.js';
import { cspHash, loadStylesheet, QUAL_CSS, RESPOND_CSS, STUDIO_CSS } from '../../../src/server/ui/assets.js';
import { QUAL_CSP, RESPOND_CSP, STUDIO_CSP } from '../../../src/server/ui/headers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const cssDir = join(root, 'src/server/ui/css');

describe('stylesheets as files', () => {
  it('loads each file as its rules joined, without comments or line breaks', () => {
    for (const [name, css] of [
      ['respond.css', RESPOND_CSS],
      ['studio.css', STUDIO_CSS],
      ['qual.css', QUAL_CSS],
    ] as const) {
      const text = readFileSync(join(cssDir, name), 'utf8');
      expect(css).not.toContain('\n');
      expect(css).not.toContain('/*');
      const rules = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('/*'));
      expect(css).toBe(rules.map((l) => l.trim()).join(''));
      // Balanced braces: a rule cut in two by an edit would otherwise swallow the rest of the sheet.
      expect(css.split('{').length, name).toBe(css.split('}').length);
    }
  });

  it('puts the hash of what is sent into the CSP', () => {
    expect(RESPOND_CSP).toContain(`style-src ${cspHash(RESPOND_CSS)};`);
    expect(STUDIO_CSP).toContain(`style-src ${cspHash(STUDIO_CSS)};`);
    expect(QUAL_CSP).toContain(`style-src ${cspHash(STUDIO_CSS)} ${cspHash(QUAL_CSS)};`);
  });

  it('names the missing file and the fix when a stylesheet is absent', () => {
    expect(() => loadStylesheet('nope.css')).toThrow(/nope\.css cannot be read .*npm run build/);
  });

  it('has a swatch and a highlight rule for every code colour of CODE_PALETTE, and no other colour class', () => {
    CODE_PALETTE.forEach((c, i) => {
      expect(QUAL_CSS).toContain(
        `.swatch.cc${i}{background:${c}}.hl.cc${i}{background:${tint(c, 0.3)};box-shadow:inset 0 -2px ${c}}`,
      );
    });
    expect(QUAL_CSS).not.toContain(`.cc${CODE_PALETTE.length}{`);
    for (let d = 0; d <= 8; d++) expect(QUAL_CSS).toContain(`.d${d}{margin-inline-start:${d * 1.5}rem}`);
  });

  it('are copied by the build next to the compiled module that reads them', () => {
    const dist = join(root, 'dist/server/ui/css');
    let built: string[];
    try {
      built = readdirSync(dist);
    } catch {
      return; // not built (npm test builds first; a lone vitest run may not)
    }
    for (const name of readdirSync(cssDir))
      expect(readFileSync(join(dist, name), 'utf8'), name).toBe(readFileSync(join(cssDir, name), 'utf8'));
    expect(built.sort()).toEqual(readdirSync(cssDir).sort());
  });
});
