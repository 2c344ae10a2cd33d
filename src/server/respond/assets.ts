/**
 * The respondent pages' only stylesheet and optional script, inlined into every page. The Content Security
 * Policy (src/server/ui/headers.ts) allows exactly these two, by hashes computed from them, and nothing else:
 * no third-party requests, no web fonts, no images, no inline event handlers, no `eval`.
 *
 * Both are inlined rather than served as files: on 2G/3G the round trip for a second request costs more than
 * the ~2 KB (compressed) they add to a page. They are plain strings so that the byte budget test measures
 * exactly what a respondent downloads. The CSS uses logical properties (`margin-inline-start`, `text-align:
 * start`) so that an Urdu page with `dir="rtl"` is mirrored without a second stylesheet.
 */

/** The stylesheet: src/server/ui/css/respond.css (its CSP hash is computed in src/server/ui/headers.ts). */
export { RESPOND_CSS } from '../ui/assets.js';

/**
 * The optional enhancement (ES5, runs on old Android browsers; everything works without it):
 * - client-generated idempotency key (`crypto.randomUUID`, kept per page in sessionStorage so that showing the
 *   same page again after a lost reply re-sends the same key; a new key when the page comes back with the
 *   server's errors, i.e. the last attempt was rejected, and after an end page);
 * - autosave of the current page to localStorage, tied to the respondent's session: the key is
 *   `nabz:<study>:<page>:<session tag>` (`_t`, a digest of the session key, which stays in an HttpOnly cookie), so a later visit (another person on a shared phone) never sees it;
 *   nothing is kept before a session exists (the first page) or when the respondent ticked "others use this
 *   phone" (`_shared`), which also clears what is there; 12 h expiry, restored only into an empty page,
 *   cleared on every end page: thank-you, support, screened out, declined, resume code;
 * - inline validation of required items with the page language's message beside each, and the same
 *   `role=alert` summary as the server's (heading `data-s`, a link to each item) which takes focus, and the
 *   title prefixed like the server's ("Error: ", `data-e`); the form has `novalidate`, so no browser popup;
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
var sk=f.elements._t,K=P+f.getAttribute('data-k')+':'+(sk?sk.value:'');
if(sh||!sk)L=S=null;
try{var c=w.crypto,ik=f.elements._idem;if(ik&&S&&c&&c.randomUUID){var o=JSON.parse(S.getItem('nabz-idem')||'{}');if(o.k!=K||es){o={k:K,v:c.randomUUID()};S.setItem('nabz-idem',JSON.stringify(o))}ik.value=o.v}}catch(e){}
function on(x){return x.type=='radio'||x.type=='checkbox'?x.checked:x.value.replace(/\\s/g,'')!=''}
function vals(){var r=[],e=f.elements;for(var i=0;i<e.length;i++){var x=e[i];if(x.name&&x.name[0]!='_'&&x.type!='submit'&&on(x))r.push([x.name,x.value])}return r}
function save(){try{L.setItem(K,JSON.stringify({t:+new Date,v:vals()}))}catch(e){}}
try{var s=JSON.parse(L.getItem(K)||'null');if(s&&new Date-s.t<432e5&&!vals().length&&!all('.er').length){var e=f.elements;for(var i=0;i<e.length;i++)for(var j=0;j<s.v.length;j++){var x=e[i],p=s.v[j];if(x.name==p[0]){if(x.type=='radio'||x.type=='checkbox'){if(x.value==p[1])x.checked=true}else x.value=p[1]}}}}catch(e){}
function ok(g){var a=ins(g);for(var i=0;i<a.length;i++)if(on(a[i]))return true;return false}
function tgt(g){return g.tagName=='FIELDSET'?g:ins(g)[0]}
function mark(g){if(g.querySelector('.js'))return;var p=d.createElement('p'),t=tgt(g),h=g.firstElementChild;p.className='er js';p.id='j-'+g.id;p.textContent=A('m');g.insertBefore(p,h.nextSibling);g.className+=' bad';t.setAttribute('aria-invalid','true');t.setAttribute('aria-describedby',((t.getAttribute('aria-describedby')||'')+' '+p.id).replace(/^ /,''))}
function clr(g){var p=g.querySelector('.js'),t=tgt(g);if(!p||!ok(g))return;g.removeChild(p);g.className=g.className.replace(' bad','');t.removeAttribute('aria-invalid');t.setAttribute('aria-describedby',(t.getAttribute('aria-describedby')||'').replace(p.id,'').replace(/^ +| +$/g,''))}
function A(n){return f.getAttribute('data-'+n)}
function el(t,p,s){var e=d.createElement(t);if(s)e.textContent=s;return p.appendChild(e)}
function sum(bad){var o=d.getElementById('es'),x=d.createElement('div'),u,E=A('e');if(o)o.parentNode.removeChild(o);x.className='es';x.id='es';x.setAttribute('role','alert');x.tabIndex=-1;el('h2',x,A('s'));u=el('ul',x);
for(var i=0;i<bad.length;i++){var l=bad[i].querySelector('legend,label').cloneNode(1),q=l.querySelector('.rq');if(q)l.removeChild(q);el('a',el('li',u),l.textContent.trim()+': '+A('m')).href='#'+ins(bad[i])[0].id}
f.parentNode.insertBefore(x,f);if(d.title.indexOf(E))d.title=E+d.title;x.focus()}
function ch(e){var g=e.target;while(g&&g!=f&&!/(^| )q( |$)/.test(g.className))g=g.parentNode;if(g&&g!=f)clr(g);save()}
f.addEventListener('change',ch);f.addEventListener('input',ch);
d.addEventListener('click',function(e){if(e.target.type=='submit')last=e.target},true);
f.addEventListener('submit',function(e){var b=e.submitter||last,bad=[],r=all('.q[data-r]',f);
if(busy){e.preventDefault();return}
if(!(b&&b.formNoValidate)){for(var i=0;i<r.length;i++)if(!ok(r[i])){mark(r[i]);bad.push(r[i])}
if(bad.length){e.preventDefault();sum(bad);return}}
busy=1;setTimeout(function(){busy=0},1e4)})
})(document,window);`;
