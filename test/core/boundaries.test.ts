import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const coreDir = join(root, 'src', 'core');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('core stays pure', () => {
  const sources = files(coreDir);
  it('has source files', () => expect(sources.length).toBeGreaterThan(5));
  for (const f of sources) {
    it(`${relative(root, f)} imports only zod, @stdlib and other core files`, () => {
      const text = readFileSync(f, 'utf8');
      const specs = [
        ...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
      ].map((m) => m[1] ?? m[2] ?? '');
      for (const s of specs) {
        if (s.startsWith('.')) {
          const target = join(f, '..', s);
          expect(target.startsWith(coreDir), `${s} leaves src/core`).toBe(true);
        } else {
          expect(s === 'zod' || s.startsWith('@stdlib/'), `${s} is not allowed in core`).toBe(true);
        }
      }
      expect(/\bprocess\.|\brequire\(/.test(text), 'no process.* or require() in core').toBe(false);
    });
  }
});

/**
 * The layers of CONTRIBUTING.md ("Layout"): which folders under src/ each folder's files may import (relative
 * imports; npm packages are checked for core above). The CLI may import everything. `lib` holds format helpers
 * (ZIP, XML, GUIDs) that both a writer in render and a reader in import use; it imports nothing of nabz.
 */
const LAYERS: Readonly<Record<string, readonly string[]>> = {
  core: ['core'],
  lib: ['lib'],
  instruments: ['instruments', 'core'],
  import: ['import', 'core', 'lib'],
  store: ['store', 'core'],
  render: ['render', 'core', 'lib'],
  server: ['server', 'core', 'instruments', 'import', 'store', 'render', 'lib'],
  cli: ['cli', 'core', 'instruments', 'import', 'store', 'render', 'server', 'lib'],
};

describe('every layer imports only the layers below it', () => {
  const srcDir = join(root, 'src');
  const layerOf = (path: string) => relative(srcDir, path).split(sep)[0] ?? '';
  it('knows every folder under src/', () => {
    const folders = readdirSync(srcDir).filter((f) => statSync(join(srcDir, f)).isDirectory());
    expect(folders.sort()).toEqual(Object.keys(LAYERS).sort());
  });
  for (const f of files(srcDir)) {
    const layer = layerOf(f);
    it(`${relative(root, f)} imports only ${(LAYERS[layer] ?? []).join(', ')}`, () => {
      const text = readFileSync(f, 'utf8');
      const specs = [
        ...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
      ].map((m) => m[1] ?? m[2] ?? '');
      for (const s of specs.filter((x) => x.startsWith('.'))) {
        const target = layerOf(join(f, '..', s));
        expect(LAYERS[layer] ?? [], `${s}: src/${layer} may not import src/${target}`).toContain(target);
      }
    });
  }
});

describe('the database stays inside the store', () => {
  const serverDirs = [join(root, 'src', 'server'), join(root, 'src', 'cli')];
  const sources = serverDirs.flatMap(files);
  it('has server and cli source files', () => expect(sources.length).toBeGreaterThan(10));
  for (const f of sources) {
    it(`${relative(root, f)} runs no query of its own (no kysely, no store.db / tx.db)`, () => {
      const text = readFileSync(f, 'utf8');
      expect(/from\s+['"]kysely['"]/.test(text), 'imports kysely: add a repository function instead').toBe(
        false,
      );
      expect(
        /\b(store|tx|ctx\.store)\.db\b/.test(text),
        'uses the raw Kysely instance: add a repository function',
      ).toBe(false);
    });
  }
});

describe('route params and query strings are parsed, not cast (src/server/request.ts)', () => {
  const sources = files(join(root, 'src', 'server')).filter((f) => !f.endsWith(`${sep}request.ts`));
  it('covers every folder of the server', () => expect(sources.length).toBeGreaterThan(50));
  for (const f of sources) {
    it(`${relative(root, f)} casts no req.params / req.query`, () => {
      const text = readFileSync(f, 'utf8');
      expect(/req\.(params|query)\)?\s+as\b/.test(text), 'use parseParams / parseQuery / segments').toBe(
        false,
      );
      expect(/req\.(params|query)\.\w/.test(text), 'read the parsed value, not req.params / req.query').toBe(
        false,
      );
      expect(
        /<\{\s*(Params|Querystring)\s*:/.test(text),
        'route generics are unchecked: use parseQuery',
      ).toBe(false);
    });
  }
});

describe('form bodies are decoded, not cast (src/server/form.ts asForm)', () => {
  const sources = files(join(root, 'src', 'server'));
  it('covers every folder of the server', () => expect(sources.length).toBeGreaterThan(50));
  for (const f of sources) {
    it(`${relative(root, f)} casts no req.body and no form`, () => {
      const text = readFileSync(f, 'utf8');
      expect(
        /req\.body(\s*\?\?\s*\{\s*\})?\)?\s+as\b/.test(text),
        'read the body with asForm (or parseBody)',
      ).toBe(false);
      expect(
        /(?<!type FormBody )\bas\s+(Fields|FormFields|FormBody)\b/.test(text),
        'a form is FormBody from asForm, never a cast',
      ).toBe(false);
    });
  }
});

describe('server pages are built with the html template (src/server/ui/html.ts)', () => {
  const sources = files(join(root, 'src', 'server')).filter(
    (f) => relative(root, f) !== join('src', 'server', 'ui', 'html.ts'),
  );
  it('covers every folder of the server', () => expect(sources.length).toBeGreaterThan(50));
  for (const f of sources) {
    it(`${relative(root, f)} calls no esc() and passes no built HTML string through raw()`, () => {
      const text = readFileSync(f, 'utf8');
      expect(/\besc\(/.test(text), 'build the markup with html`…` (it escapes), not esc()').toBe(false);
      // raw() is for constants (CSS, JS, ' checked', a tag name) and a renderer's SVG: never for the result of
      // a call, an await or a template with substitutions, which is markup built as a string.
      expect(
        /\braw\(\s*(?:await\s|new\s|[\w$.]+\s*\()/.test(text),
        'raw() of a call: make the function return Html (built with html`…`) and interpolate it',
      ).toBe(false);
      expect(
        /\braw\(\s*`[^`]*\$\{/.test(text),
        'raw() of a template string with substitutions: build it with html`…` instead',
      ).toBe(false);
    });
  }
});
