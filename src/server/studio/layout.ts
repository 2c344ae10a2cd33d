/**
 * The researcher studio's page shell: one stylesheet and one tiny optional script, both inline and allowed by
 * their hashes in the studio's Content Security Policy (no CDN, no web font, no third-party request of any
 * kind). Every page works without JavaScript; the script only adds "copy" buttons and reads a chosen text file
 * into a textarea (text packs).
 *
 * `layout()` is also used by the sign-in and setup pages (S1), so it needs nothing but a title and a body.
 */
import type { FastifyReply } from 'fastify';
import type { StudyRole, StudyStatus, User } from '../../store/index.js';
import { cspHash } from '../respond/assets.js';
import { esc } from '../respond/html.js';

export { esc };

/** The stylesheet: system fonts, readable on a phone and on a projector, logical properties for RTL text. */
export const STUDIO_CSS = [
  ':root{--a:#0b57d0;--ad:#0842a0;--e:#b3261e;--ok:#146c2e;--m:#5f6368;--b:#dadce0;--bg:#f8f9fa;--f:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif}',
  '*{box-sizing:border-box}',
  'body{margin:0;font:1rem/1.5 var(--f);color:#1f1f1f;background:#fff;overflow-wrap:break-word}',
  ':lang(ur){font-family:"Noto Nastaliq Urdu","Noto Naskh Arabic","Noto Sans Arabic",sans-serif;line-height:2}',
  'a{color:var(--a)}',
  '.top{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between;padding:.5rem 1rem;border-block-end:1px solid var(--b);background:var(--bg)}',
  '.brand{font-weight:700;text-decoration:none;color:#1f1f1f;font-size:1.15rem}',
  '.who{display:flex;gap:.75rem;align-items:center;color:var(--m);font-size:.9rem}',
  '.who form{margin:0}',
  'main{max-width:64rem;margin:0 auto;padding:1rem}',
  'h1{font-size:1.5rem;line-height:1.3;margin:.5rem 0 1rem}',
  'h2{font-size:1.2rem;margin:1.75rem 0 .5rem}',
  'h3{font-size:1.05rem;margin:1.25rem 0 .4rem}',
  '.tabs{display:flex;flex-wrap:wrap;gap:.25rem;margin:0 0 1rem;padding:0;list-style:none;border-block-end:1px solid var(--b)}',
  '.tabs a{display:block;padding:.45rem .8rem;text-decoration:none;border-radius:.3rem .3rem 0 0}',
  '.tabs a[aria-current]{background:var(--a);color:#fff}',
  '.badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-size:.8rem;font-weight:600;background:#e8eaed;color:#1f1f1f;vertical-align:middle}',
  '.badge.open{background:#c4eed0;color:#0d5223}.badge.closed{background:#fad2cf;color:#8c1d18}.badge.draft{background:#fef7e0;color:#7a5900}',
  'table{border-collapse:collapse;margin:.5rem 0 1rem;font-variant-numeric:tabular-nums}',
  'th,td{padding:.35rem .7rem;border-block-end:1px solid var(--b);text-align:start;vertical-align:top}',
  'thead th{border-block-end:2px solid #1f1f1f}',
  'td.n,th.n{text-align:end}',
  '.wrap{overflow-x:auto}',
  'form.stack{display:grid;gap:.75rem;max-width:44rem}',
  'label{font-weight:600}',
  '.field{display:grid;gap:.25rem}',
  '.check{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}',
  '.check input{margin-block-start:.3rem}',
  'input[type=text],input[type=email],input[type=password],input[type=number],input[type=url],input[type=tel],select,textarea{font:inherit;padding:.45rem .55rem;border:1px solid var(--m);border-radius:.3rem;width:100%;max-width:44rem;background:#fff}',
  'textarea{min-height:6rem}',
  'textarea.json{min-height:24rem;font:.85rem/1.4 ui-monospace,Menlo,Consolas,monospace}',
  'fieldset{border:1px solid var(--b);border-radius:.4rem;padding:.75rem 1rem;margin:0}',
  'legend{font-weight:700;padding:0 .3rem}',
  'button,.button{display:inline-block;font:inherit;padding:.45rem 1rem;border:1px solid var(--a);border-radius:.3rem;background:#fff;color:var(--a);cursor:pointer;text-decoration:none}',
  'button.primary,.button.primary{background:var(--a);color:#fff}',
  'button.danger{border-color:var(--e);color:var(--e)}',
  'button:hover{filter:brightness(.95)}',
  ':focus-visible{outline:3px solid var(--a);outline-offset:2px}',
  '.inline{display:inline}',
  '.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}',
  '.hint,.muted{color:var(--m);font-size:.9rem}',
  '.card{border:1px solid var(--b);border-radius:.5rem;padding:.75rem 1rem;margin:.75rem 0}',
  '.notice{border-inline-start:4px solid var(--a);background:#e8f0fe;padding:.6rem 1rem;margin:1rem 0}',
  '.ok{border-inline-start:4px solid var(--ok);background:#e6f4ea;padding:.6rem 1rem;margin:1rem 0}',
  '.errors{border:2px solid var(--e);border-radius:.4rem;padding:.5rem 1rem;margin:1rem 0;color:var(--e)}',
  '.errors code{color:#1f1f1f}',
  '.terms{max-height:12rem;overflow:auto;background:var(--bg);padding:.5rem .75rem;border-radius:.3rem;font-size:.9rem}',
  '.stats{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}',
  '.stat{border:1px solid var(--b);border-radius:.5rem;padding:.6rem 1rem;min-width:9rem}',
  '.stat b{display:block;font-size:1.8rem;line-height:1.2}',
  '.bar{display:inline-block;height:.8rem;background:var(--a);vertical-align:middle}',
  '.link{font:1.1rem ui-monospace,Menlo,Consolas,monospace;word-break:break-all;direction:ltr;unicode-bidi:isolate}',
  '.qr{max-width:min(90vw,32rem);background:#fff;padding:.5rem}',
  '.qr svg{display:block;width:100%;height:auto}',
  '.qr.big{max-width:min(95vw,80vh);margin:0 auto}',
  '.present{text-align:center}.present .link{font-size:clamp(1rem,3vw,2rem)}',
  '.slips{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:1rem}',
  '.slip{border:1px dashed #777;padding:.6rem;break-inside:avoid}.slip .qr{max-width:12rem}.slip .link{font-size:.8rem}',
  '.report table{margin:1rem 0}.report caption{caption-side:top;text-align:start;font-weight:600;padding-bottom:.3rem}',
  '.report .nc{font-style:italic;color:var(--m)}.report .r{text-align:end;white-space:nowrap}',
  '.report .i1{padding-inline-start:1.6rem}.report .i2{padding-inline-start:2.6rem}',
  '.report figure{margin:1.5rem 0}.report figure svg{max-width:100%;height:auto}',
  '.report .notes{font-size:.9rem;color:#333}.report .scoring{background:var(--bg);border-inline-start:4px solid var(--a);padding:.5rem .8rem}',
  '.report h1{font-size:1.3rem}',
  'summary{cursor:pointer;color:var(--a);font-weight:600;padding:.35rem 0}',
  'details>.stack,details>.card{margin-block-start:.5rem}',
  'pre{white-space:pre-wrap;font-size:.85rem;background:var(--bg);padding:.5rem;border-radius:.3rem}',
  'footer{max-width:64rem;margin:2rem auto;padding:1rem;color:var(--m);font-size:.85rem;border-block-start:1px solid var(--b)}',
  '@media print{.top,.tabs,footer,form{display:none}}',
].join('');

/** Optional enhancement: buttons with `data-copy="<element id>"` copy that element's text. */
export const STUDIO_JS =
  "document.querySelectorAll('[data-copy]').forEach(function(b){b.hidden=false;b.addEventListener('click',function(){var t=document.getElementById(b.getAttribute('data-copy'));if(t&&navigator.clipboard){navigator.clipboard.writeText(t.textContent.trim()).then(function(){b.textContent='Copied'})}})});" +
  // A file chosen in `<input type="file" data-into="ID">` is read as text into the textarea ID (the field's
  // wrapper is hidden until the script runs; without it, the text is pasted).
  "document.querySelectorAll('input[data-into]').forEach(function(f){f.parentNode.hidden=false;f.addEventListener('change',function(){var t=document.getElementById(f.getAttribute('data-into')),x=f.files&&f.files[0];if(!t||!x)return;var r=new FileReader();r.onload=function(){t.value=String(r.result)};r.readAsText(x)})});";

/**
 * The studio's Content Security Policy: nothing loads from anywhere but this origin; the inline stylesheet
 * and script are allowed by hash; images only as data: URLs; forms post only here; no framing.
 */
export const STUDIO_CSP = [
  "default-src 'none'",
  `style-src ${cspHash(STUDIO_CSS)}`,
  `script-src ${cspHash(STUDIO_JS)}`,
  'img-src data:',
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every studio page. */
export const STUDIO_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': STUDIO_CSP,
  'cache-control': 'no-store',
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** The study a page belongs to, for the tab bar. */
export interface LayoutStudy {
  readonly id: number;
  readonly title: string;
  readonly status: StudyStatus;
  readonly role: StudyRole;
}

export type StudyTab =
  | 'overview'
  | 'edit'
  | 'preview'
  | 'share'
  | 'progress'
  | 'analysis'
  | 'exports'
  | 'qual'
  | 'people'
  | 'audit';

const TABS: readonly { tab: StudyTab; label: string; path: string; roles: readonly StudyRole[] }[] = [
  { tab: 'overview', label: 'Overview', path: '', roles: ['owner', 'analyst', 'viewer'] },
  { tab: 'edit', label: 'Design', path: '/edit', roles: ['owner'] },
  { tab: 'preview', label: 'Preview', path: '/preview', roles: ['owner', 'analyst'] },
  { tab: 'share', label: 'Share', path: '/share', roles: ['owner', 'analyst'] },
  { tab: 'progress', label: 'Progress', path: '/progress', roles: ['owner', 'analyst', 'viewer'] },
  { tab: 'analysis', label: 'Analysis', path: '/analysis', roles: ['owner', 'analyst', 'viewer'] },
  { tab: 'exports', label: 'Exports', path: '/exports', roles: ['owner', 'analyst'] },
  { tab: 'qual', label: 'Qualitative', path: '/qual', roles: ['owner', 'analyst', 'viewer'] },
  { tab: 'people', label: 'People', path: '/roles', roles: ['owner'] },
  { tab: 'audit', label: 'Audit log', path: '/audit', roles: ['owner'] },
];

/** Which tabs a role may open (the routes enforce the same rule). */
export function tabsFor(role: StudyRole): StudyTab[] {
  return TABS.filter((t) => t.roles.includes(role)).map((t) => t.tab);
}

export interface LayoutInput {
  readonly title: string;
  /** The signed-in user, shown with a sign-out button (needs `csrf`). */
  readonly user?: User | undefined;
  /** Page content (HTML). */
  readonly body: string;
  /** CSRF token for the sign-out form. */
  readonly csrf?: string | undefined;
  /** Show the study's heading and tabs. */
  readonly study?: LayoutStudy | undefined;
  readonly active?: StudyTab | undefined;
  /** Reload the page every this many seconds (`<meta http-equiv="refresh">`, no JavaScript needed). */
  readonly refreshSeconds?: number | undefined;
}

export function statusBadge(status: StudyStatus): string {
  const text = status === 'open' ? 'open' : status === 'closed' ? 'closed' : 'draft';
  return `<span class="badge ${text}">${text}</span>`;
}

/** A complete studio HTML document. */
export function layout(input: LayoutInput): string {
  const who = input.user
    ? `<div class="who"><span>${esc(input.user.displayName || input.user.email)}</span>${
        input.csrf !== undefined
          ? `<form method="post" action="/signout"><input type="hidden" name="_csrf" value="${esc(input.csrf)}"><button>Sign out</button></form>`
          : ''
      }</div>`
    : '';
  let head = '';
  if (input.study) {
    const s = input.study;
    const base = `/studies/${s.id}`;
    const tabs = TABS.filter((t) => t.roles.includes(s.role))
      .map(
        (t) =>
          `<li><a href="${base}${t.path}"${t.tab === input.active ? ' aria-current="page"' : ''}>${esc(t.label)}</a></li>`,
      )
      .join('');
    head =
      `<p class="muted"><a href="/">Studies</a> › <span dir="auto">${esc(s.title)}</span> ${statusBadge(s.status)} <span class="badge">${esc(s.role)}</span></p>` +
      `<nav aria-label="Study"><ul class="tabs">${tabs}</ul></nav>`;
  }
  const refresh =
    input.refreshSeconds !== undefined ? `<meta http-equiv="refresh" content="${input.refreshSeconds}">` : '';
  return (
    '<!doctype html><html lang="en" dir="ltr"><head><meta charset="utf-8">' +
    `<meta name="viewport" content="width=device-width,initial-scale=1">${refresh}` +
    `<title>${esc(input.title)} – nabz</title><style>${STUDIO_CSS}</style></head><body>` +
    `<header class="top"><a class="brand" href="/">nabz <span lang="ur" dir="rtl">نبض</span></a>${who}</header>` +
    `<main>${head}${input.body}</main>` +
    '<footer>nabz — anonymous studies, small cells suppressed, no third-party requests.</footer>' +
    `<script>${STUDIO_JS}</script></body></html>`
  );
}

/** Send a studio page with the studio's security headers. */
export function sendPage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.code(status).headers(STUDIO_HEADERS).send(html);
}

/** A list of problems (validation issues), each with its path when it has one. */
export function issuesHtml(
  issues: readonly { readonly path?: string; readonly message: string }[],
  title = 'Please fix these problems:',
): string {
  if (issues.length === 0) return '';
  return `<div class="errors" role="alert"><p><strong>${esc(title)}</strong></p><ul>${issues
    .map((i) => `<li>${i.path ? `<code>${esc(i.path)}</code>: ` : ''}${esc(i.message)}</li>`)
    .join('')}</ul></div>`;
}

/** The hidden CSRF field every state-changing form carries. */
export function csrfField(token: string): string {
  return `<input type="hidden" name="_csrf" value="${esc(token)}">`;
}

/** A one-button POST form (launch, close, delete a row…). */
export function postButton(
  action: string,
  csrf: string,
  label: string,
  opts: { className?: string; hidden?: Readonly<Record<string, string>> } = {},
): string {
  const hidden = Object.entries(opts.hidden ?? {})
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return `<form method="post" action="${esc(action)}" class="inline">${csrfField(csrf)}${hidden}<button${
    opts.className ? ` class="${esc(opts.className)}"` : ''
  }>${esc(label)}</button></form>`;
}
