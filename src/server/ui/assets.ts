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

/**
 * The progress page updating in place (server/studio/progressView.ts): `[data-live]` names the counts JSON
 * (same origin; the studio CSP's `connect-src 'self'`) and `data-every` the seconds between fetches. The
 * figures go into the elements marked `data-k` and the `tbody[data-rows]` tables (text via textContent, never
 * markup); `#live-pause` pauses and resumes; `#live-status` (role=status) says only what changed (new counts,
 * paused, an error), so a screen reader is not told every few seconds that nothing happened. No fetch while the
 * tab is hidden; on 401/403 it stops and asks for a refresh.
 */
const LIVE_JS = [
  "(function(){var root=document.querySelector('[data-live]');if(!root||!window.fetch)return;",
  "var url=root.getAttribute('data-live'),secs=Math.max(2,Number(root.getAttribute('data-every'))||10),every=secs*1000,",
  "st=document.getElementById('live-status'),btn=document.getElementById('live-pause'),paused=false,busy=false,timer=0;",
  'function say(t){if(st)st.textContent=t}',
  "function fill(tb,rows){var n=Number(tb.getAttribute('data-text'))||0,f=document.createDocumentFragment();",
  "rows.forEach(function(r){var tr=document.createElement('tr');r.cells.forEach(function(c,i){var td=document.createElement('td');if(i<n)td.dir='auto';else td.className='n';td.textContent=String(c);tr.appendChild(td)});",
  "var td=document.createElement('td'),s=document.createElement('span');s.setAttribute('aria-hidden','true');s.textContent=new Array(Math.max(0,Math.min(12,r.bar|0))+1).join('\\u2588');td.appendChild(s);tr.appendChild(td);f.appendChild(tr)});tb.replaceChildren(f)}",
  "function apply(d){var changed=false;root.querySelectorAll('[data-k]').forEach(function(e){var v=d.stats[e.getAttribute('data-k')];if(typeof v==='string'&&e.textContent!==v){e.textContent=v;changed=true}});",
  "root.querySelectorAll('tbody[data-rows]').forEach(function(tb){var rows=d[tb.getAttribute('data-rows')];if(Array.isArray(rows))fill(tb,rows)});",
  "var nd=document.getElementById('no-days');if(nd)nd.hidden=d.days.length>0;if(changed)say('New counts at '+new Date().toLocaleTimeString()+'. Updates every '+secs+' seconds.')}",
  'function stop(t){clearInterval(timer);paused=true;if(btn)btn.hidden=true;say(t)}',
  "function tick(){if(paused||busy||document.hidden)return;busy=true;fetch(url,{credentials:'same-origin',headers:{accept:'application/json'}}).then(function(r){",
  "if(r.status===401||r.status===403){stop('Updates stopped: you are signed out or no longer have access. Refresh the page.');return}if(!r.ok)throw new Error('HTTP '+r.status);return r.json().then(apply)})",
  ".catch(function(e){say('Could not update the counts ('+e.message+'); trying again in '+secs+' seconds.')}).then(function(){busy=false})}",
  "if(btn){btn.hidden=false;btn.addEventListener('click',function(){paused=!paused;btn.setAttribute('aria-pressed',String(paused));btn.textContent=paused?'Resume updates':'Pause updates';if(paused)say('Updates paused: the counts stay as they are until you resume.');else{say('Updates every '+secs+' seconds.');tick()}})}",
  "document.addEventListener('visibilitychange',tick);say('Updates every '+secs+' seconds.');timer=setInterval(tick,every)})();",
].join('');

/** Optional enhancement: buttons with `data-copy="<element id>"` copy that element's text. */
export const STUDIO_JS =
  "document.querySelectorAll('[data-copy]').forEach(function(b){b.hidden=false;b.addEventListener('click',function(){var t=document.getElementById(b.getAttribute('data-copy'));if(t&&navigator.clipboard){navigator.clipboard.writeText(t.textContent.trim()).then(function(){b.textContent='Copied'})}})});" +
  // A file chosen in `<input type="file" data-into="ID">` is read as text into the textarea ID (the field's
  // wrapper is hidden until the script runs; without it, the text is pasted).
  "document.querySelectorAll('input[data-into]').forEach(function(f){f.parentNode.hidden=false;f.addEventListener('change',function(){var t=document.getElementById(f.getAttribute('data-into')),x=f.files&&f.files[0];if(!t||!x)return;var r=new FileReader();r.onload=function(){t.value=String(r.result)};r.readAsText(x)})});" +
  LIVE_JS;
