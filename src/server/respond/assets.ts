/**
 * The respondent pages' only stylesheet and optional script, inlined into every page, and the Content
 * Security Policy that allows exactly these two (by hash) and nothing else: no third-party requests, no
 * web fonts, no images, no inline event handlers, no `eval`.
 *
 * Both are inlined rather than served as files: on 2G/3G the round trip for a second request costs more than
 * the ~2 KB (compressed) they add to a page. They are plain strings so that the byte budget test measures
 * exactly what a respondent downloads. The CSS uses logical properties (`margin-inline-start`, `text-align:
 * start`) so that an Urdu page with `dir="rtl"` is mirrored without a second stylesheet.
 */
import { createHash } from 'node:crypto';

/** The stylesheet: mobile first, 200% zoom safe (no fixed widths), visible focus, RTL by logical properties. */
export const RESPOND_CSS = [
  ':root{--a:#0b57d0;--e:#b3261e;--m:#555;--f:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif}',
  '*{box-sizing:border-box}',
  'html{-webkit-text-size-adjust:100%}',
  'body{margin:0;font:1rem/1.5 var(--f);color:#1b1b1b;background:#fff;overflow-wrap:break-word}',
  ':lang(ur){font-family:"Noto Nastaliq Urdu","Jameel Noori Nastaleeq","Urdu Typesetting","Noto Naskh Arabic","Noto Sans Arabic",sans-serif;line-height:2.1}',
  '[lang]:not(:lang(ur)){font-family:var(--f)}',
  'header,main,footer{max-width:42rem;margin:0 auto;padding:.5rem 1rem}',
  'header{display:flex;flex-wrap:wrap;gap:.5rem;justify-content:space-between;border-block-end:1px solid #ccc}',
  'header p{margin:0;font-weight:600}',
  'nav a{margin-inline-start:.75rem}',
  'h1{font-size:1.35rem;line-height:1.3;margin:.75rem 0 .5rem}',
  'h2{font-size:1.1rem;margin:1rem 0 .5rem}',
  'a{color:var(--a)}',
  'progress{display:block;width:100%;height:.5rem;margin-block-end:1rem}',
  '.pg{margin:0;color:var(--m);font-size:.9rem}',
  'fieldset{border:0;margin:0;padding:0;min-width:0}',
  'legend{padding:0;font-weight:600}',
  '.q{padding-block:.75rem;border-block-end:1px solid #e5e5e5}',
  '.q>label{display:block;font-weight:600}',
  '.gd{padding-block:.75rem;border-block-end:1px solid #e5e5e5}',
  '.gd .q{padding-block:.4rem;border-block-end:0}',
  '.gd .q legend{font-weight:400}',
  '.o label{display:flex;align-items:center;gap:.6rem;padding:.4rem .25rem;min-height:2.75rem;cursor:pointer}',
  '.l .o{display:flex;flex-wrap:wrap}',
  '.l .o label{flex:1 1 3.6rem;flex-direction:column;gap:.15rem;text-align:center;font-size:.85rem;line-height:1.25}',
  'input[type=radio],input[type=checkbox]{width:1.35rem;height:1.35rem;margin:0;flex:none;accent-color:var(--a)}',
  'input[type=text],textarea{display:block;width:100%;max-width:30rem;font:inherit;padding:.5rem;border:2px solid var(--m);border-radius:.25rem}',
  ':focus-visible{outline:3px solid var(--a);outline-offset:2px}',
  '.h,.rq,footer{color:var(--m);font-size:.9rem}',
  '.h{margin:.1rem 0 .4rem}',
  '.er{color:var(--e);font-weight:600;margin:.25rem 0}',
  '.bad{border-inline-start:4px solid var(--e);padding-inline-start:.75rem}',
  '.es{border:3px solid var(--e);padding:.5rem 1rem;margin-block:1rem}',
  '.es a{color:var(--e);font-weight:600}',
  '.bt{display:flex;flex-wrap:wrap;gap:.75rem;margin-block:1.5rem}',
  'button{font:inherit;padding:.6rem 1.2rem;min-height:2.75rem;border:2px solid var(--a);border-radius:.3rem;background:#fff;color:var(--a);cursor:pointer}',
  'button.p{background:var(--a);color:#fff}',
  '.rv{padding:0;list-style:none}',
  '.rv li{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding-block:.5rem;border-block-end:1px solid #e5e5e5}',
  '.rv span{flex:1 1 12rem}',
  '.code{font:700 2rem/1.2 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.15em;direction:ltr;unicode-bidi:isolate;text-align:center;border:2px dashed var(--m);padding:.5rem}',
  '.sc{padding:0;list-style:none}',
  '.sc li{border:1px solid #ccc;border-radius:.3rem;padding:.25rem 1rem;margin-block:.75rem}',
  '.sc a[href^="tel:"]{display:inline-block;font-weight:700;font-size:1.15rem;padding:.4rem 0}',
  '.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
].join('');

/**
 * The optional enhancement (ES5, runs on old Android browsers; everything works without it):
 * - client-generated idempotency key (`crypto.randomUUID`, kept per page in sessionStorage so that showing the
 *   same page again after a lost reply re-sends the same key; a new key when the page comes back with the
 *   server's errors, i.e. the last attempt was rejected, and after an end page);
 * - autosave of the current page to localStorage, tied to the respondent's session: the key is
 *   `nabz:<study>:<page>:<session key>`, so a later visit (another person on a shared phone) never sees it;
 *   nothing is kept before a session exists (the first page) or when the respondent ticked "others use this
 *   phone" (`_shared`), which also clears what is there; 12 h expiry, restored only into an empty page,
 *   cleared on every end page: thank-you, support, screened out, declined, resume code;
 * - inline validation of required items with the page language's message, focus on the first problem;
 * - no double submit (a second submit within 10 s is ignored; buttons are not disabled, so the pressed
 *   button's value is still sent);
 * - focus on the server's error summary.
 */
export const RESPOND_JS = `(function(d,w){
var f=d.querySelector('form[data-k]'),P='nabz:',L,S,busy=0,last;
try{L=w.localStorage;S=w.sessionStorage}catch(e){}
function all(s,e){return (e||d).querySelectorAll(s)}
function ins(g){return all('input,textarea',g)}
var sh=d.querySelector('input[name=_shared][type=hidden]');
if(sh||d.body.hasAttribute('data-end'))try{S.removeItem('nabz-idem');for(var i=L.length;i--;){var k=L.key(i);if(k&&k.indexOf(P)==0)L.removeItem(k)}}catch(e){}
var es=d.getElementById('es');if(es)es.focus();
if(!f)return;
var sk=f.elements._s,K=P+f.getAttribute('data-k')+':'+(sk?sk.value:'');
if(sh||!sk)L=S=null;
try{var c=w.crypto,ik=f.elements._idem;if(ik&&S&&c&&c.randomUUID){var o=JSON.parse(S.getItem('nabz-idem')||'{}');if(o.k!=K||es){o={k:K,v:c.randomUUID()};S.setItem('nabz-idem',JSON.stringify(o))}ik.value=o.v}}catch(e){}
function on(x){return x.type=='radio'||x.type=='checkbox'?x.checked:x.value.replace(/\\s/g,'')!=''}
function vals(){var r=[],e=f.elements;for(var i=0;i<e.length;i++){var x=e[i];if(x.name&&x.name[0]!='_'&&x.type!='submit'&&on(x))r.push([x.name,x.value])}return r}
function save(){try{L.setItem(K,JSON.stringify({t:+new Date,v:vals()}))}catch(e){}}
try{var s=JSON.parse(L.getItem(K)||'null');if(s&&new Date-s.t<432e5&&!vals().length&&!all('.er').length){var e=f.elements;for(var i=0;i<e.length;i++)for(var j=0;j<s.v.length;j++){var x=e[i],p=s.v[j];if(x.name==p[0]){if(x.type=='radio'||x.type=='checkbox'){if(x.value==p[1])x.checked=true}else x.value=p[1]}}}}catch(e){}
function ok(g){var a=ins(g);for(var i=0;i<a.length;i++)if(on(a[i]))return true;return false}
function tgt(g){return g.tagName=='FIELDSET'?g:ins(g)[0]}
function mark(g){if(g.querySelector('.js'))return;var p=d.createElement('p'),t=tgt(g),h=g.firstElementChild;p.className='er js';p.id='j-'+g.id;p.textContent=f.getAttribute('data-m');g.insertBefore(p,h.nextSibling);g.className+=' bad';t.setAttribute('aria-describedby',((t.getAttribute('aria-describedby')||'')+' '+p.id).replace(/^ /,''))}
function clr(g){var p=g.querySelector('.js'),t=tgt(g);if(!p||!ok(g))return;g.removeChild(p);g.className=g.className.replace(' bad','');t.setAttribute('aria-describedby',(t.getAttribute('aria-describedby')||'').replace(p.id,'').replace(/^ +| +$/g,''))}
function ch(e){var g=e.target;while(g&&g!=f&&!/(^| )q( |$)/.test(g.className))g=g.parentNode;if(g&&g!=f)clr(g);save()}
f.addEventListener('change',ch);f.addEventListener('input',ch);
f.addEventListener('click',function(e){if(e.target.type=='submit')last=e.target},true);
f.noValidate=true;
f.addEventListener('submit',function(e){var b=e.submitter||last,bad=[],r=all('.q[data-r]',f);
if(busy){e.preventDefault();return}
if(!(b&&b.formNoValidate)){for(var i=0;i<r.length;i++)if(!ok(r[i])){mark(r[i]);bad.push(r[i])}
if(bad.length){e.preventDefault();ins(bad[0])[0].focus();return}}
busy=1;setTimeout(function(){busy=0},1e4)})
})(document,window);`;

/** `sha256-<base64>` of a string, as a CSP source. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The Content Security Policy of every respondent page: nothing may load from anywhere (`default-src
 * 'none'`); the one inline stylesheet and the one inline script are allowed by their hashes (no
 * `'unsafe-inline'`); forms post only to this site; the page may not be framed.
 */
export const RESPOND_CSP = [
  "default-src 'none'",
  `style-src ${cspHash(RESPOND_CSS)}`,
  `script-src ${cspHash(RESPOND_JS)}`,
  "img-src 'none'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers for every respondent page (no caching: pages may hold answers; no referrer: links carry no study URL). */
export const RESPOND_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': RESPOND_CSP,
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};
