// Copies the non-TypeScript files the server reads at run time (the stylesheets, src/**/*.css) from src/ to
// dist/, next to the compiled modules that load them (src/server/ui/assets.ts). Run by `npm run build`.
import { cpSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.css')) continue;
  const from = join(entry.parentPath ?? entry.path, entry.name); // parentPath from Node 20.12
  cpSync(from, join(root, 'dist', relative(src, from)));
  copied++;
}
if (copied === 0)
  throw new Error('copy-assets: no .css file found under src/; the server needs its stylesheets.');
