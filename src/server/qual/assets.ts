/**
 * The qualitative pages' stylesheet and their one small same-origin script (served at `QUAL_SCRIPT_PATH`, no
 * framework, no third-party request). Every page works without it; the script only
 * - turns a text selection in the transcript into code-point offsets for the coding form, and
 * - reads a chosen file (.docx, .qdpx, or a text transcript) into a hidden base64 field, because the server
 *   takes forms as application/x-www-form-urlencoded only (@fastify/multipart is not installed).
 *
 * Offsets: every piece of transcript text is a `<span data-o="N">` whose text starts at code point N of the
 * source. A selection boundary inside a text node is N plus the code points before it; the browser counts
 * UTF-16 units, so a boundary that splits a surrogate pair is widened outward (start down, end up), as
 * `selectionFromUtf16` in src/core/qual/offsets.ts does. A boundary between elements snaps to the next span's
 * start (for a selection start) or the previous span's end (for its end). The server checks the range again.
 */

export const QUAL_SCRIPT_PATH = '/qual-assets/qual.js';

/**
 * Code colours. The qualitative pages' CSP allows only hashed stylesheets (no inline `style=`), so a code's
 * colour (any #RRGGBB) is shown as the nearest of this fixed palette (Tableau 10), through the classes `ccN`.
 */
export const CODE_PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
] as const;

const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as number[];

/** The palette class of a code colour (nearest palette colour by RGB distance); '' for none or a bad value. */
export function colourClass(colour: string | undefined): string {
  if (!colour || !/^#[0-9A-Fa-f]{6}$/.test(colour)) return '';
  const c = rgb(colour);
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  CODE_PALETTE.forEach((p, i) => {
    const d = rgb(p).reduce((sum, v, k) => sum + (v - c[k]!) ** 2, 0);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return `cc${best}`;
}

/** The indentation class of a tree node at `depth` (0 = top level; deeper than 8 indents as 8). */
export function depthClass(depth: number): string {
  return `d${Math.max(0, Math.min(8, depth))}`;
}

/** A palette colour mixed with white (for a highlight background that keeps text readable). */
const tint = (hex: string, keep: number) =>
  `#${rgb(hex)
    .map((v) =>
      Math.round(255 - (255 - v) * keep)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;

export const QUAL_CSS = [
  '.qnav{display:flex;flex-wrap:wrap;gap:.2rem 1rem;margin:0 0 1rem;padding:0;list-style:none;font-size:.95rem}',
  '.qnav a[aria-current]{font-weight:700;color:#1f1f1f;text-decoration:none}',
  '.coding{display:grid;grid-template-columns:minmax(0,3fr) minmax(15rem,2fr);gap:1rem}',
  '@media (max-width:52rem){.coding{grid-template-columns:1fr}}',
  '.side{position:sticky;top:.5rem;align-self:start;max-height:98vh;overflow:auto}',
  '.transcript{border:1px solid var(--b);border-radius:.5rem;padding:.25rem 1rem;max-height:80vh;overflow:auto}',
  '.transcript p{white-space:pre-wrap;margin:.5rem 0}',
  '.transcript .gap{color:var(--m)}',
  '.spk{font-weight:700;color:#444}',
  '.hl{background:#fff1a8;box-shadow:inset 0 -2px #e0a800}',
  '.hl.many{background:#ffd6a0}',
  ...CODE_PALETTE.map(
    (c, i) =>
      `.swatch.cc${i}{background:${c}}.hl.cc${i}{background:${tint(c, 0.3)};box-shadow:inset 0 -2px ${c}}`,
  ),
  '.hl.other{background:#dbe9ff;box-shadow:inset 0 -2px #6b9eff}',
  ...Array.from({ length: 9 }, (_, d) => `.d${d}{margin-inline-start:${d * 1.5}rem}`),
  '.pre{white-space:pre-wrap}.w7{width:7rem}.w8{width:8rem}.w12{width:12rem}.max24{max-width:24rem}',
  '.quote{margin:.25rem 0;padding:.25rem .75rem;border-inline-start:3px solid var(--b)}',
  '.sup{color:var(--m);font-style:italic}',
  '.num{text-align:end;font-variant-numeric:tabular-nums;white-space:nowrap}',
  '.tree{list-style:none;padding-inline-start:1.25rem;margin:.25rem 0}',
  '.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:.2rem;vertical-align:middle;margin-inline-end:.3rem;border:1px solid #0003}',
  '.status-candidate{background:#fef7e0;color:#7a5900}.status-reviewed{background:#e8f0fe;color:#0842a0}.status-final{background:#c4eed0;color:#0d5223}',
  '.refusal{border:2px solid var(--e);border-radius:.4rem;padding:.5rem 1rem;color:var(--e)}',
  '.preview{min-height:2.5rem;border:1px dashed var(--m);border-radius:.3rem;padding:.35rem .5rem;white-space:pre-wrap}',
  '.checks{display:flex;flex-wrap:wrap;gap:.25rem 1rem}',
  '.checks label{font-weight:400}',
  'code.hash{font-size:.8rem;word-break:break-all}',
].join('');

/** The browser script (plain ES5, strict, no globals). */
export const QUAL_JS = `(function(){'use strict';
function cps(s,floor){var n=0,i,c,d;for(i=0;i<s.length;i++){c=s.charCodeAt(i);if(c>=0xD800&&c<=0xDBFF&&i+1<s.length){d=s.charCodeAt(i+1);if(d>=0xDC00&&d<=0xDFFF)i++;}n++;}
if(floor&&s.length){c=s.charCodeAt(s.length-1);if(c>=0xD800&&c<=0xDBFF)n--;}return n;}
var files=document.querySelectorAll('[data-b64]');
Array.prototype.forEach.call(files,function(input){
var box=input.closest('[data-js]');if(box)box.hidden=false;
var target=document.getElementById(input.getAttribute('data-b64'));
var nameField=document.getElementById(input.getAttribute('data-b64-name'));
var busy=false;
input.addEventListener('change',function(){var f=input.files&&input.files[0];target.value='';if(nameField)nameField.value='';if(!f)return;busy=true;
var r=new FileReader();r.onload=function(){var s=String(r.result);target.value=s.slice(s.indexOf(',')+1);if(nameField)nameField.value=f.name;busy=false;};
r.onerror=function(){busy=false;alert('The file could not be read.');};r.readAsDataURL(f);});
if(input.form)input.form.addEventListener('submit',function(e){if(busy){e.preventDefault();alert('The file is still being read; try again in a moment.');}});
});
var tx=document.getElementById('transcript'),form=document.getElementById('code-form');
if(!tx||!form)return;
var preview=document.getElementById('selection-preview');
function spans(){return tx.querySelectorAll('[data-o]');}
function base(sp){return +sp.getAttribute('data-o');}
function spanOf(n){while(n&&n!==tx){if(n.nodeType===1&&n.hasAttribute('data-o'))return n;n=n.parentNode;}return null;}
function endOf(sp){return base(sp)+cps(sp.textContent,false);}
function pos(node,off,isEnd){
var sp=spanOf(node);
if(sp&&node.nodeType===3){var before=0,c;for(c=sp.firstChild;c&&c!==node;c=c.nextSibling)before+=cps(c.textContent,false);return base(sp)+before+cps(node.data.slice(0,off),!isEnd);}
if(sp)return off===0?base(sp):endOf(sp);
var r=document.createRange();r.setStart(node,off);r.collapse(true);
var all=spans(),i;
if(!isEnd){for(i=0;i<all.length;i++)if(r.comparePoint(all[i],0)>=0)return base(all[i]);return null;}
for(i=all.length-1;i>=0;i--)if(r.comparePoint(all[i],all[i].childNodes.length)<=0)return endOf(all[i]);return null;}
var timer=0;
function update(){var sel=window.getSelection();if(!sel||sel.rangeCount===0)return;var r=sel.getRangeAt(0);if(r.collapsed)return;
if(!tx.contains(r.startContainer)||!tx.contains(r.endContainer))return;
var a=pos(r.startContainer,r.startOffset,false),b=pos(r.endContainer,r.endOffset,true);
if(a===null||b===null||b<=a)return;
form.elements.start.value=a;form.elements.end.value=b;
if(form.elements.turn)form.elements.turn.value='';
if(preview)preview.textContent=sel.toString();}
document.addEventListener('selectionchange',function(){clearTimeout(timer);timer=setTimeout(update,120);});
tx.addEventListener('mouseup',update);tx.addEventListener('keyup',update);
})();
`;
