/**
 * The pages' stylesheets (files under ./css/, copied to dist/ by `npm run build`) and the studio's small
 * inline script, and the CSP hash of each: the Content-Security-Policy (./headers.ts) lists the hashes
 * computed here from what is actually sent, so a change to a stylesheet can never leave a stale hash behind.
 *
 * Stylesheets are inlined into the pages rather than served as files: the respondent pages because on 2G/3G
 * a second request costs more than the ~2 KB they add, the studio's because they are small and a page then
 * needs no second request either. The CSS files are written one rule per line (Biome's CSS formatter is off
 * for them, its linter on); loading joins the lines, so the bytes sent are exactly the rules as written.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** `'sha256-<base64>'` of a string, as a CSP source. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * A stylesheet from ./css/: its lines trimmed and joined, blank lines and whole-line comments dropped.
 * Fails at start-up, naming the file, when it is missing (e.g. a build that did not copy the CSS).
 */
export function loadStylesheet(name: string): string {
  const url = new URL(`./css/${name}`, import.meta.url);
  let text: string;
  try {
    text = readFileSync(url, 'utf8');
  } catch (err) {
    throw new Error(
      `The stylesheet ${url.pathname} cannot be read (${(err as Error).message}); run \`npm run build\`, which copies src/**/*.css to dist/.`,
    );
  }
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !(l.startsWith('/*') && l.endsWith('*/')))
    .join('');
}

/** The respondent pages' stylesheet (inlined into every respondent page). */
export const RESPOND_CSS = loadStylesheet('respond.css');

/** The studio's stylesheet: every researcher page (studio, qualitative, sign-in, setup, error pages). */
export const STUDIO_CSS = loadStylesheet('studio.css');

/** The qualitative pages' additions to the studio stylesheet. */
export const QUAL_CSS = loadStylesheet('qual.css');

/** Optional enhancement: buttons with `data-copy="<element id>"` copy that element's text. */
export const STUDIO_JS =
  "document.querySelectorAll('[data-copy]').forEach(function(b){b.hidden=false;b.addEventListener('click',function(){var t=document.getElementById(b.getAttribute('data-copy'));if(t&&navigator.clipboard){navigator.clipboard.writeText(t.textContent.trim()).then(function(){b.textContent='Copied'})}})});" +
  // A file chosen in `<input type="file" data-into="ID">` is read as text into the textarea ID (the field's
  // wrapper is hidden until the script runs; without it, the text is pasted).
  "document.querySelectorAll('input[data-into]').forEach(function(f){f.parentNode.hidden=false;f.addEventListener('change',function(){var t=document.getElementById(f.getAttribute('data-into')),x=f.files&&f.files[0];if(!t||!x)return;var r=new FileReader();r.onload=function(){t.value=String(r.result)};r.readAsText(x)})});";
