/**
 * The qualitative pages' code colours and their one small same-origin script (served at `QUAL_SCRIPT_PATH`, no
 * framework, no third-party request; the stylesheet is src/server/ui/css/qual.css). Every page works without it; the script only
 * - turns a text selection in the transcript into code-point offsets for the coding form, and
 * - reads a chosen file (.docx, .qdpx, a text transcript or a recording) into a hidden base64 field, because the
 *   server takes forms as application/x-www-form-urlencoded only (@fastify/multipart is not installed), and
 * - plays a timed turn's span of the transcript's recording in the page's player (`#qual-media`) when its play
 *   link (`a[data-play]`, `data-start`/`data-end` in seconds) is clicked, pausing at the turn's end; without
 *   the script the link opens the recording with the media fragment `#t=start,end`.
 *
 * Offsets: every piece of transcript text is a `<span data-o="N">` whose text starts at code point N of the
 * source. A selection boundary inside a text node is N plus the code points before it; the browser counts
 * UTF-16 units, so a boundary that splits a surrogate pair is widened outward (start down, end up), as
 * `selectionFromUtf16` in src/core/qual/offsets.ts does. A boundary between elements snaps to the next span's
 * start (for a selection start) or the previous span's end (for its end). The server checks the range again.
 */
import { at } from '../../core/stats/at.js';

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
    const d = rgb(p).reduce((sum, v, k) => sum + (v - at(c, k)) ** 2, 0);
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
export const tint = (hex: string, keep: number) =>
  `#${rgb(hex)
    .map((v) =>
      Math.round(255 - (255 - v) * keep)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;

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
var media=document.getElementById('qual-media');
if(media){var stopAt=null;
document.addEventListener('click',function(e){var a=e.target&&e.target.closest?e.target.closest('a[data-play]'):null;if(!a)return;e.preventDefault();
var en=a.getAttribute('data-end');stopAt=en===null?null:+en;media.currentTime=+a.getAttribute('data-start');var p=media.play();if(p&&p.catch)p.catch(function(){});});
media.addEventListener('timeupdate',function(){if(stopAt!==null&&media.currentTime>=stopAt){media.pause();stopAt=null;}});
media.addEventListener('seeking',function(){if(stopAt!==null&&media.currentTime>stopAt)stopAt=null;});}
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
