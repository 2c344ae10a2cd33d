/**
 * Respondent pages, rendered on the server as complete HTML documents that work without JavaScript.
 *
 * `renderPage(ctx)` is a pure function of its context: the route gathers the study, the flow, the answers so
 * far, errors and tokens, and sends back `{ status, headers, body }`. Nothing that identifies a respondent
 * is ever rendered (no IP address, no user agent, no time); the only per-respondent values in a page are the
 * respondent's own answers, the CSRF/session tokens and idempotency key the route passes, and a resume code.
 *
 * Accessibility: each choice item is a `<fieldset>` with a `<legend>` and `<label>`-wrapped inputs; typed
 * items have a `<label for>`; errors are linked with `aria-describedby` and listed in a summary at the top
 * that links to each field; the progress indicator is text plus a `<progress>` element; `lang` and `dir` are
 * set on `<html>`, and text that falls back to another language carries its own `lang`/`dir`.
 */
import type { Instrument, LocalizedText } from '../../core/instrument/schema.js';
import { consentShown, type Presented } from '../../core/respond/engine.js';
import type { Answer, Answers, FieldError, FormFields } from '../../core/response/submission.js';
import { itemName } from '../../core/response/submission.js';
import {
  baseLanguage,
  firstStrongDirection,
  type LocalizedString,
  localize,
  type RespondErrorKind,
  studyText,
  textDirection,
  type UiStrings,
  uiStrings,
} from '../../core/study/i18n.js';
import {
  type Flow,
  type FlowItem,
  type FlowPage,
  findPage,
  previousPage,
  progress,
  shownPages,
  visibleItems,
} from '../../core/study/pages.js';
import type { ResolvedStudy } from '../../core/study/resolve.js';
import { RESPOND_HEADERS } from '../ui/headers.js';
import { attr, EMPTY, type Html, html, raw } from '../ui/html.js';
import { RESPOND_CSS, RESPOND_JS } from './assets.js';
import { paragraphs, safeHttpUrl, telHref } from './html.js';

/** What every study page needs. */
export interface RespondCommon {
  readonly resolved: ResolvedStudy;
  /** The language to show (pick it with `pickLanguage(study.languages, requested)`). */
  readonly lang: string;
  /** Where forms post; default "" (the page's own URL). */
  readonly action?: string;
  /** Hidden fields for every form, e.g. `{ _csrf: token, _n: step }`; names should be in CONTROL_FIELDS. */
  readonly hidden?: Readonly<Record<string, string>>;
  /** Server-generated idempotency key for this render (the script replaces it with a client one). */
  readonly idempotencyKey?: string;
  /** Links to the same page in the study's other languages (pages without a session's form). */
  readonly languageLinks?: readonly { readonly lang: string; readonly href: string }[];
  /**
   * A session's page or review: the study's languages, switched to by buttons that post the page's form
   * (`_nav=lang:<tag>`, {@link LANGUAGE_FORM}), so what was typed is kept, with or without JavaScript.
   */
  readonly languageButtons?: readonly string[];
  /** Link to the resume form, shown on the first page. */
  readonly resumeHref?: string;
  /** Include the optional script (default true). */
  readonly script?: boolean;
  /** A follow-up wave (issue 14): every page says its answers are confidential, not anonymous. */
  readonly wave?: boolean;
}

export type RespondContext =
  | (RespondCommon & {
      /** A consent, screening or content page. */
      readonly view: 'page';
      readonly flow: Flow;
      readonly pageId: string;
      /** Answers so far (decide visibility and progress; prefill the page when going back). */
      readonly answers: Answers;
      /** The fields as posted, to re-render what the respondent typed after errors. */
      readonly fields?: FormFields;
      readonly errors?: readonly FieldError[];
    })
  | (RespondCommon & {
      readonly view: 'review';
      readonly flow: Flow;
      readonly answers: Answers;
      readonly errors?: readonly FieldError[];
    })
  | (RespondCommon & {
      readonly view: 'thanks';
      readonly referralLink?: string;
      readonly volunteerHref?: string;
    })
  | (RespondCommon & { readonly view: 'support'; readonly volunteerHref?: string })
  | (RespondCommon & { readonly view: 'ineligible' })
  | (RespondCommon & { readonly view: 'declined' })
  | (RespondCommon & {
      readonly view: 'resume-code';
      readonly code: string;
      readonly expires?: string;
      readonly continueHref?: string;
    })
  | (RespondCommon & { readonly view: 'resume'; readonly notFound?: boolean; readonly code?: string })
  | (RespondCommon & { readonly view: 'closed' })
  | (RespondCommon & { readonly view: 'invitation'; readonly reason: 'needed' | 'invalid' })
  /** A follow-up wave without a usable personal wave link, or answered already with it. */
  | (RespondCommon & { readonly view: 'wave'; readonly reason: 'needed' | 'invalid' | 'answered' })
  | {
      readonly view: 'error';
      readonly kind: RespondErrorKind;
      readonly lang?: string;
      readonly resolved?: ResolvedStudy;
      readonly languageLinks?: RespondCommon['languageLinks'];
      /** Overrides the status that goes with `kind`. */
      readonly status?: number;
    };

export interface RenderedPage {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const ERROR_STATUS: Readonly<Record<RespondErrorKind, number>> = {
  not_found: 404,
  bad_request: 400,
  expired: 403,
  rate_limited: 429,
  too_large: 413,
  server: 500,
};

/** ` lang=".." dir=".."` when text is in another language than the page. */
function langOf(ls: LocalizedString, pageLang: string): Html {
  if (baseLanguage(ls.lang) === baseLanguage(pageLang)) return EMPTY;
  return langDir(ls.lang);
}

/** ` lang=".." dir=".."` for a language. */
function langDir(lang: string): Html {
  return html` lang="${lang}" dir="${textDirection(lang)}"`;
}

/**
 * Localized text (in `lang` when it has it) as escaped HTML, wrapped in a span with its language when that
 * differs from `ctxLang`, the language of the element it goes in (the page's, or a fallen-back item's).
 */
function txt(t: LocalizedText | undefined, lang: string, fallback = '', ctxLang = lang): Html | string {
  const ls = localize(t, lang);
  if (!ls) return fallback;
  if (baseLanguage(ls.lang) === baseLanguage(ctxLang)) return ls.text;
  return html`<span${langDir(ls.lang)}>${ls.text}</span>`;
}

function plain(t: LocalizedText | undefined, lang: string): string {
  return localize(t, lang)?.text ?? '';
}

interface Shell {
  readonly lang: string;
  readonly title: string;
  readonly resolved?: ResolvedStudy;
  readonly main: Html;
  readonly languageLinks?: RespondCommon['languageLinks'];
  readonly languageButtons?: RespondCommon['languageButtons'];
  readonly script: boolean;
  /** An end page: the script clears autosaved answers. */
  readonly end?: boolean;
  /** A follow-up wave: the confidentiality notice at the top of the page. */
  readonly wave?: boolean;
}

const DIR_AUTO = html` dir="auto"`;

/**
 * ` lang=".." dir=".."` for the study's title (a plain string in whichever language the researcher typed it)
 * on a page in `pageLang`: when its first strong letter is in the other direction than the page (an English
 * title on an Urdu page, or the reverse), it is marked with the study's first language of that direction, so
 * a screen reader reads it with the right voice and it is laid out on its own side. Otherwise `dir="auto"`.
 */
function studyTitleLang(title: string, languages: readonly string[], pageLang: string): Html {
  const dir = firstStrongDirection(title);
  if (!dir || dir === textDirection(pageLang)) return DIR_AUTO;
  const own = languages.find((l) => textDirection(l) === dir);
  return own ? html` lang="${own}" dir="${dir}"` : html` dir="${dir}"`;
}

/**
 * The attributes of the study's title in the header of a page in `pageLang`: a title per language that fell back
 * to another language carries that language's `lang`/`dir`, one in the page's language none; a plain-string
 * title (language unknown) is marked by its letters ({@link studyTitleLang}).
 */
function studyTitleAttrs(
  title: { readonly text: string; readonly lang?: string },
  languages: readonly string[],
  pageLang: string,
): Html {
  if (title.lang === undefined) return studyTitleLang(title.text, languages, pageLang);
  return langOf({ text: title.text, lang: title.lang }, pageLang);
}

/**
 * Links to the page at `url` (a respondent GET: its path and query) in each of the study's languages: the same
 * query with `lang` set, so an end page, the resume form or a volunteer page is shown again in that language.
 * Undefined for a study in one language.
 */
export function languageLinksAt(url: string, languages: readonly string[]): RespondCommon['languageLinks'] {
  if (languages.length < 2) return undefined;
  const u = new URL(url, 'http://respondent.invalid');
  return languages.map((lang) => {
    u.searchParams.set('lang', lang);
    return { lang, href: `${u.pathname}?${u.searchParams.toString()}` };
  });
}

/** The form of a page that the language buttons post (`form="rf"`): every respondent page has at most one. */
const LANGUAGE_FORM = 'rf';

/**
 * The language switch (issue 14): the study's other languages, each named in itself. On a session's page or
 * review, buttons that post the page's form with `_nav=lang:<tag>` (Back's rules: what was typed is kept
 * unchecked, the page is shown again in that language); elsewhere links to the same page in that language.
 */
function languageNav(sh: Shell, s: UiStrings): Html {
  const other = (l: string) => baseLanguage(l) !== baseLanguage(sh.lang);
  const buttons = (sh.languageButtons ?? []).filter(other);
  const links = (sh.languageLinks ?? []).filter((l) => other(l.lang));
  if (!buttons.length && !links.length) return EMPTY;
  const inner = buttons.length
    ? buttons.map(
        (l) =>
          html`<button class="ln" form="${LANGUAGE_FORM}" name="_nav" value="lang:${l}" formnovalidate lang="${l}" dir="${textDirection(l)}">${uiStrings(l).languageName}</button>`,
      )
    : links.map(
        (l) =>
          html`<a href="${l.href}" hreflang="${l.lang}" lang="${l.lang}" dir="${textDirection(l.lang)}">${uiStrings(l.lang).languageName}</a>`,
      );
  return html`<nav aria-label="${s.languageNav}">${inner}</nav>`;
}

const HEAD = html`<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">`;
/** The stylesheet and the script, inlined (their hashes are in the page's CSP). */
const STYLE = html`<style>${raw(RESPOND_CSS)}</style>`;
const SCRIPT = html`<script>${raw(RESPOND_JS)}</script>`;

function documentHtml(sh: Shell): string {
  const s = uiStrings(sh.lang);
  const study = sh.resolved?.study;
  const studyTitle = study ? studyText(study.title, study.languages, sh.lang) : undefined;
  const header =
    study &&
    studyTitle &&
    html`<header><p${studyTitleAttrs(studyTitle, study.languages, sh.lang)}>${studyTitle.text}</p>${languageNav(sh, s)}</header>`;
  const footer = sh.resolved && footerHtml(sh.resolved.instruments);
  const title = studyTitle ? `${sh.title} – ${studyTitle.text}` : sh.title;
  return html`<!doctype html><html lang="${sh.lang}" dir="${textDirection(sh.lang)}"><head><meta charset="utf-8">${HEAD}<title>${title}</title>${STYLE}</head><body${sh.end && html` data-end`}>${header}<main>${sh.wave && html`<p class="h" role="note">${s.wave.notice}</p>`}${sh.main}</main>${footer}${sh.script && SCRIPT}</body></html>`
    .text;
}

/** The licence line each instrument's owner requires on forms. */
function footerHtml(instruments: readonly Instrument[]): Html {
  if (!instruments.length) return EMPTY;
  return html`<footer>${instruments.map((i) => html`<p lang="en" dir="ltr">${i.licence.attribution}</p>`)}</footer>`;
}

export function hiddenFields(c: RespondCommon, pageId?: string): Html {
  return html`${Object.entries(c.hidden ?? {}).map(
    ([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`,
  )}${pageId !== undefined && html`<input type="hidden" name="_page" value="${pageId}">`}${
    c.idempotencyKey !== undefined && html`<input type="hidden" name="_idem" value="${c.idempotencyKey}">`
  }`;
}

/**
 * Before a session exists (the first page posted starts one): the box for a shared phone. Ticked, the session
 * carries `_shared=1` and the script keeps nothing in the browser's storage (and clears what is there).
 */
function sharedDeviceBox(c: RespondCommon, s: UiStrings): Html {
  if (c.hidden?._t !== undefined || !c.resumeHref) return EMPTY;
  return html`<p class="o"><label><input type="checkbox" name="_shared" value="1">${s.sharedDevice}</label></p>`;
}

/**
 * `novalidate`: the browser's own (English-only) popups never replace the server's translated summary; the
 * script's check shows the same summary (`data-s` its heading, `data-e` the title prefix, `data-m` the message).
 */
export function formOpen(c: RespondCommon, s: UiStrings, pageKey?: string): Html {
  const data =
    pageKey &&
    html` data-k="${pageKey}" data-m="${s.jsRequired}" data-s="${s.errorSummaryTitle}" data-e="${s.errorTitlePrefix}"`;
  return html`<form method="post" action="${c.action ?? ''}" id="${LANGUAGE_FORM}" autocomplete="off" novalidate${data}>`;
}

function progressHtml(s: UiStrings, current: number, total: number): Html {
  return html`<p class="pg" id="pg">${s.pageOf(current, total)}</p><progress max="${total}" value="${current}" aria-labelledby="pg"></progress>`;
}

function errorSummary(s: UiStrings, errors: readonly FieldError[], fieldIds: ReadonlySet<string>): Html {
  if (!errors.length) return EMPTY;
  const items = errors.map((e) =>
    fieldIds.has(e.field)
      ? html`<li><a href="#f-${e.field}">${e.message}</a></li>`
      : html`<li>${e.message}</li>`,
  );
  // `autofocus`: without JavaScript the browser moves focus to the summary, so it is read out first.
  return html`<div class="es" id="es" role="alert" tabindex="-1" autofocus><h2>${s.errorSummaryTitle}</h2><ul>${items}</ul></div>`;
}

/** The values to prefill an item with: the posted fields after errors, otherwise the stored answer. */
function currentValues(fi: FlowItem, answers: Answers, fields: FormFields | undefined): string[] {
  if (fields) {
    const posted = fields[fi.id];
    return posted === undefined ? [] : typeof posted === 'string' ? [posted] : [...posted];
  }
  const a: Answer | undefined = answers[fi.id];
  if (!a) return [];
  switch (a.kind) {
    case 'value':
      return [String(a.value)];
    case 'choices':
      return a.values.map(String);
    case 'text':
      return [a.text];
    case 'na':
      return ['na'];
    default:
      return [];
  }
}

const CHECKED = html` checked`;
const REQUIRED = html` required`;
const INVALID = html` aria-invalid="true"`;
const DATA_R = html` data-r`;

function itemHtml(
  fi: FlowItem,
  lang: string,
  s: UiStrings,
  cur: string[],
  error: FieldError | undefined,
  markRequired: boolean,
): Html {
  const id = fi.id;
  const it = fi.item;
  const required = it.required;
  // A grid row is labelled by its statement alone; the grid's question is the legend of the group around it.
  const text = fi.grid ? fi.grid.row.text : it.text;
  // An item without text in the page's language is shown in its own language: the whole item (number,
  // text, options) is laid out in that language's direction, and the page-language parts inside it (the
  // required mark, hints, errors) carry the page's lang/dir. Otherwise "1. " would sit on the wrong side.
  const ls = text ? localize(text, lang) : undefined;
  const own = ls && baseLanguage(ls.lang) !== baseLanguage(lang) ? ls.lang : lang;
  const ownAttr = own !== lang && langDir(own);
  const pageAttr = own !== lang && langDir(lang);
  const label = html`${fi.number !== undefined && `${fi.number}. `}${ls ? ls.text : itemName(fi, lang)}${
    markRequired && required && !fi.grid && html` <span class="rq"${pageAttr}>(${s.required})</span>`
  }`;
  const err = error && html`<p class="er" id="e-${id}"${pageAttr}>${error.message}</p>`;
  const cls = `q${it.type === 'scale' || fi.grid ? ' l' : ''}${error ? ' bad' : ''}`;
  const dataR = required && DATA_R;

  if (it.type === 'scale' || it.type === 'single' || it.type === 'multiple') {
    const type = it.type === 'multiple' ? 'checkbox' : 'radio';
    const opts: { value: string; label: Html | string }[] = (fi.scale?.options ?? it.options ?? []).map(
      (o) => ({ value: String(o.value), label: txt(o.label, lang, String(o.value), own) }),
    );
    if (it.notApplicable) {
      const na = fi.scale?.notApplicableLabel;
      opts.push({
        value: 'na',
        label: na
          ? txt(na, lang, '', own)
          : pageAttr
            ? html`<span${pageAttr}>${s.notApplicable}</span>`
            : s.notApplicable,
      });
    }
    const chosen = new Set(cur);
    const described = error && html` aria-describedby="e-${id}"`;
    // The attributes every option shares, escaped once per item rather than once per option.
    const shared = html` type="${type}" name="${id}"`;
    const first = html` id="f-${id}"`;
    const inputs = opts.map(
      (o, k) =>
        html`<label><input${shared} value="${o.value}"${k === 0 && first}${described}${chosen.has(o.value) && CHECKED}${
          k === 0 && required && type === 'radio' && REQUIRED
        }> ${o.label}</label>`,
    );
    const hint = it.type === 'multiple' && html`<p class="h"${pageAttr}>${s.chooseAll}</p>`;
    // The message is linked to the group and to each of its inputs (read with whichever gets focus).
    return html`<fieldset class="${cls}" id="q-${id}"${ownAttr}${error && html`${described}${INVALID}`}${dataR}><legend>${label}</legend>${hint}${err}<div class="o">${inputs}</div></fieldset>`;
  }

  // number, text, longtext: one labelled input.
  let hint = '';
  if (it.type === 'number') hint = s.numberHint(it.min, it.max, it.integer === true);
  else if (it.maxLength !== undefined) hint = s.maxChars(it.maxLength);
  const described = [hint ? `h-${id}` : '', error ? `e-${id}` : ''].filter(Boolean).join(' ');
  const common = html` name="${id}" id="f-${id}"${attr('aria-describedby', described || undefined)}${error && INVALID}${
    required && REQUIRED
  }${attr('maxlength', it.type === 'number' ? 32 : it.maxLength)}`;
  const value = cur[0] ?? '';
  // The answer is typed in the page's language.
  const input =
    it.type === 'longtext'
      ? html`<textarea rows="4"${common}${pageAttr}>${value}</textarea>`
      : html`<input type="text"${it.type === 'number' && html` inputmode="${it.integer ? 'numeric' : 'decimal'}"`}${common}${pageAttr} value="${value}">`;
  return html`<div class="${cls}" id="q-${id}"${ownAttr}${dataR}><label for="f-${id}">${label}</label>${
    hint && html`<p class="h" id="h-${id}"${pageAttr}>${hint}</p>`
  }${err}${input}</div>`;
}

/**
 * A study's intro text (a page's, or the one before an instrument): plain text as paragraphs, escaped, with
 * its own lang/dir when it falls back to another language than the page's.
 */
function introHtml(t: LocalizedText | undefined, lang: string): Html {
  const ls = localize(t, lang);
  return ls ? html`<div class="in"${langOf(ls, lang)}>${paragraphs(ls.text)}</div>` : EMPTY;
}

/** Localized paragraphs in a `<div>`, with their own lang/dir when they fell back to another language. */
function textBlock(ls: LocalizedString, lang: string): Html {
  return html`<div${langOf(ls, lang)}>${paragraphs(ls.text)}</div>`;
}

function pageTitle(page: FlowPage, s: UiStrings, lang: string): { html: Html | string; plain: string } {
  if (page.kind === 'consent') return { html: s.consentTitle, plain: s.consentTitle };
  if (page.title) return { html: txt(page.title, lang), plain: plain(page.title, lang) };
  const t = page.kind === 'eligibility' ? s.eligibilityTitle : s.questionsTitle;
  return { html: t, plain: t };
}

/** Consecutive visible items: the rows of one grid question together, other items one by one. */
function gridRuns(
  visible: readonly FlowItem[],
): { grid?: NonNullable<FlowItem['grid']>; items: FlowItem[] }[] {
  const runs: { grid?: NonNullable<FlowItem['grid']>; items: FlowItem[] }[] = [];
  for (const fi of visible) {
    const last = runs.at(-1);
    if (fi.grid && last?.grid?.question === fi.grid.question) last.items.push(fi);
    else runs.push(fi.grid ? { grid: fi.grid, items: [fi] } : { items: [fi] });
  }
  return runs;
}

function renderFlowPage(c: Extract<RespondContext, { view: 'page' }>): RenderedPage {
  const { flow, answers, lang } = c;
  const s = uiStrings(lang);
  const page = findPage(flow, c.pageId);
  if (!page) return renderPage({ view: 'error', kind: 'not_found', lang, resolved: c.resolved });
  const study = c.resolved.study;
  const title = pageTitle(page, s, lang);
  const pr = progress(flow, page.id);
  const errors = c.errors ?? [];
  const prev = previousPage(flow, page.id, answers);
  const firstShown = shownPages(flow, answers)[0]?.id === page.id;
  const resume = firstShown && c.resumeHref && html`<p><a href="${c.resumeHref}">${s.haveCode}</a></p>`;
  const head = html`<h1>${title.html}</h1>${progressHtml(s, pr.current, pr.total)}`;

  if (page.kind === 'consent') {
    const consent = study.collection.consent;
    const ls = consentShown(c.resolved, lang);
    const agree = consent?.agreeLabel ? txt(consent.agreeLabel, lang) : s.consentAgree;
    const body = html`${head}${errorSummary(s, errors, new Set())}${ls && textBlock(ls, lang)}${
      consent && html`<p class="h">${s.consentVersion(consent.version)}</p>`
    }${formOpen(c, s)}${hiddenFields(c, page.id)}${sharedDeviceBox(c, s)}<div class="bt"><button class="p" name="_consent" value="agree">${agree}</button><button name="_consent" value="decline">${s.consentDecline}</button></div></form>${resume}`;
    return finish(c, title.plain, body, errors.length ? 400 : 200);
  }

  const visible = visibleItems(page, answers);
  const ids = new Set(visible.map((fi) => fi.id));
  const errBy = new Map<string, FieldError>();
  for (const e of errors) if (ids.has(e.field) && !errBy.has(e.field)) errBy.set(e.field, e);
  const allRequired = visible.length > 0 && visible.every((fi) => fi.item.required);

  const introduced = new Set<string>();
  const item = (fi: FlowItem): Html => {
    const ins = fi.instrument;
    let intro: Html | false = false;
    if (ins && !introduced.has(ins.id)) {
      introduced.add(ins.id);
      const instr = localize(ins.instructions, lang);
      // The study's own intro comes before the instrument's instructions (its stem).
      intro = html`${plain(page.title, lang) !== plain(ins.title, lang) && html`<h2>${txt(ins.title, lang)}</h2>`}${introHtml(
        flow.instrumentIntros.get(ins.id),
        lang,
      )}${instr && textBlock(instr, lang)}`;
    }
    return html`${intro}${itemHtml(fi, lang, s, currentValues(fi, answers, c.fields), errBy.get(fi.id), !allRequired)}`;
  };
  // The rows of a grid question sit in one fieldset whose legend is the question (nested fieldsets: a
  // screen reader announces the question, then each row's statement; rows wrap like Likert items at 360 px).
  const items = gridRuns(visible).map(({ grid, items }) => {
    if (!grid) return items.map(item);
    const q = grid.question;
    return html`<fieldset class="gd" id="g-${q.id}"><legend>${txt(q.text, lang, q.id)}${
      !allRequired && q.required && html` <span class="rq">(${s.required})</span>`
    }</legend>${items.map(item)}</fieldset>`;
  });

  const buttons = html`<div class="bt"><button class="p" name="_nav" value="next">${s.next}</button>${
    prev && html`<button name="_nav" value="back" formnovalidate>${s.back}</button>`
  }${page.kind === 'content' && html`<button name="_nav" value="save" formnovalidate>${s.saveLater}</button>`}</div>`;
  const body = html`${head}${errorSummary(s, errors, ids)}${introHtml(page.intro, lang)}${
    allRequired && html`<p class="h">${s.allRequired}</p>`
  }${formOpen(c, s, `${study.id}:${page.id}`)}${hiddenFields(c, page.id)}${sharedDeviceBox(c, s)}${items}${buttons}</form>${resume}`;
  return finish(c, title.plain, body, errors.length ? 400 : 200);
}

function renderReview(c: Extract<RespondContext, { view: 'review' }>): RenderedPage {
  const { flow, answers, lang } = c;
  const s = uiStrings(lang);
  const pr = progress(flow, 'review');
  const rows = shownPages(flow, answers)
    .filter((p) => p.kind === 'content')
    .map((p) => {
      const vis = visibleItems(p, answers);
      const done = vis.filter((fi) => {
        const k = answers[fi.id]?.kind;
        return k === 'value' || k === 'choices' || k === 'text' || k === 'na';
      }).length;
      const t = pageTitle(p, s, lang);
      return html`<li><span>${t.html}</span><span>${s.answeredOf(done, vis.length)}</span><button name="_nav" value="goto:${p.id}" formnovalidate>${s.change}<span class="vh"> ${t.html}</span></button></li>`;
    });
  const body = html`<h1>${s.reviewTitle}</h1>${progressHtml(s, pr.current, pr.total)}${errorSummary(s, c.errors ?? [], new Set())}<p>${s.reviewIntro}</p>${formOpen(
    c,
    s,
    `${c.resolved.study.id}:review`,
  )}${hiddenFields(c, 'review')}<ul class="rv">${rows}</ul><div class="bt"><button class="p" name="_nav" value="submit">${s.submit}</button><button name="_nav" value="back" formnovalidate>${s.back}</button><button name="_nav" value="save" formnovalidate>${s.saveLater}</button></div></form>`;
  return finish(c, s.reviewTitle, body, c.errors?.length ? 400 : 200);
}

/** A whole page; status 400 is a page re-shown with errors, whose title then starts with "Error: ". */
export function finish(
  c: RespondCommon,
  title: string,
  main: Html,
  status: number,
  end = false,
): RenderedPage {
  const body = documentHtml({
    lang: c.lang,
    title: status === 400 ? uiStrings(c.lang).errorTitlePrefix + title : title,
    resolved: c.resolved,
    main,
    ...(c.languageLinks ? { languageLinks: c.languageLinks } : {}),
    ...(c.languageButtons ? { languageButtons: c.languageButtons } : {}),
    script: c.script !== false,
    end,
    ...(c.wave ? { wave: true } : {}),
  });
  return { status, headers: RESPOND_HEADERS, body };
}

/** The end page's offer of the follow-up (issue 14), for a respondent the follow-up rule admits. */
function volunteerOffer(href: string | undefined, s: UiStrings): Html {
  if (!href) return EMPTY;
  const v = s.volunteer;
  return html`<h2>${v.offerTitle}</h2><p>${v.offerText}</p><p><a class="vo" href="${href}">${v.offerLink}</a></p>`;
}

/** The study's support contacts as a list (the support page; every end page with `supportForAll`). */
function contactList(resolved: ResolvedStudy, lang: string, s: UiStrings): Html[] {
  return resolved.study.collection.supportContacts.map((sc) => {
    const tel = sc.phone ? telHref(sc.phone) : undefined;
    const number = sc.phone && html`<bdi dir="ltr">${sc.phone}</bdi>`;
    const url = safeHttpUrl(sc.url);
    return html`<li><h2>${txt(sc.name, lang)}</h2>${sc.description && html`<p>${txt(sc.description, lang)}</p>`}${
      number && html`<p>${tel ? html`<a href="${tel}">${s.call} ${number}</a>` : number}</p>`
    }${sc.hours && html`<p>${s.hours}: ${txt(sc.hours, lang)}</p>`}${
      url &&
      html`<p><a href="${url}" rel="noopener noreferrer">${s.website}: <bdi dir="ltr">${url}</bdi></a></p>`
    }</li>`;
  });
}

/** The support contacts on every respondent's thank-you page, when the study shows them to everyone. */
function supportForAll(resolved: ResolvedStudy, lang: string, s: UiStrings): Html {
  const col = resolved.study.collection;
  if (!col.supportForAll || !col.supportContacts.length) return EMPTY;
  return html`<h2>${s.supportForAllTitle}</h2><ul class="sc">${contactList(resolved, lang, s)}</ul><p>${s.supportEmergency}</p>`;
}

function supportHtml(resolved: ResolvedStudy, lang: string, s: UiStrings): Html {
  return html`<h1>${s.supportTitle}</h1><p>${s.supportIntro}</p><ul class="sc">${contactList(resolved, lang, s)}</ul><p><strong>${s.supportEmergency}</strong></p><p>${s.supportPrivacy}</p><p>${s.thanksText}</p>`;
}

/** An end page's heading and paragraph. */
function titled(title: string, text: string): Html {
  return html`<h1>${title}</h1><p>${text}</p>`;
}

/**
 * The page for what the engine presents (`present`, `presentStart`): a page of the flow or the review, with
 * the last post's problems (then status 400, as the post's answer was before redirect-after-POST).
 * `idempotencyKey`: the review's key for this render.
 */
export function renderPresented(
  common: RespondCommon,
  flow: Flow,
  shown: Presented,
  idempotencyKey?: string,
): RenderedPage {
  const errors = shown.errors?.length ? { errors: shown.errors } : {};
  const page =
    shown.kind === 'review'
      ? renderPage({
          ...common,
          view: 'review',
          flow,
          answers: shown.answers,
          ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
          ...errors,
        })
      : renderPage({
          ...common,
          view: 'page',
          flow,
          pageId: shown.page.id,
          answers: shown.answers,
          ...(shown.fields ? { fields: shown.fields } : {}),
          ...errors,
        });
  return errors.errors ? { ...page, status: 400 } : page;
}

/**
 * Render one respondent page. Pure: the same context gives the same bytes.
 *
 * Status: 200; 400 for a page re-rendered with errors; the error kinds' statuses (404, 400, 403, 429, 413,
 * 500) unless `status` is given. Headers: `RESPOND_HEADERS` (CSP, no-store, no-referrer, nosniff, DENY).
 */
export function renderPage(ctx: RespondContext): RenderedPage {
  switch (ctx.view) {
    case 'page':
      return renderFlowPage(ctx);
    case 'review':
      return renderReview(ctx);
    case 'thanks': {
      const s = uiStrings(ctx.lang);
      const ty = localize(ctx.resolved.study.collection.thankYou, ctx.lang);
      const share =
        ctx.referralLink &&
        html`<h2>${s.shareTitle}</h2><p>${s.shareText}</p><p dir="ltr"><a href="${ctx.referralLink}">${ctx.referralLink}</a></p>`;
      return finish(
        ctx,
        s.thanksTitle,
        html`<h1>${s.thanksTitle}</h1>${ty ? textBlock(ty, ctx.lang) : html`<p>${s.thanksText}</p>`}${supportForAll(
          ctx.resolved,
          ctx.lang,
          s,
        )}${volunteerOffer(ctx.volunteerHref, s)}<p>${s.closePage}</p>${share}`,
        200,
        true,
      );
    }
    case 'support': {
      const s = uiStrings(ctx.lang);
      const main = html`${supportHtml(ctx.resolved, ctx.lang, s)}${volunteerOffer(ctx.volunteerHref, s)}`;
      return finish(ctx, s.supportTitle, main, 200, true);
    }
    case 'ineligible': {
      const s = uiStrings(ctx.lang);
      const m = localize(ctx.resolved.study.collection.eligibility?.ineligibleMessage, ctx.lang);
      return finish(
        ctx,
        s.ineligibleTitle,
        html`<h1>${s.ineligibleTitle}</h1>${m ? textBlock(m, ctx.lang) : html`<p>${s.ineligibleText}</p>`}<p>${s.closePage}</p>`,
        200,
        true,
      );
    }
    case 'declined': {
      const s = uiStrings(ctx.lang);
      return finish(ctx, s.declinedTitle, titled(s.declinedTitle, s.declinedText), 200, true);
    }
    case 'resume-code': {
      const s = uiStrings(ctx.lang);
      const main = html`<h1>${s.resumeCodeTitle}</h1><p>${s.resumeCodeIs}:</p><p class="code">${ctx.code}</p><p>${s.resumeCodeHelp}</p>${
        ctx.expires && html`<p>${s.resumeCodeExpires(ctx.expires)}</p>`
      }${ctx.continueHref && html`<p><a href="${ctx.continueHref}">${s.continueNow}</a></p>`}`;
      return finish(ctx, s.resumeCodeTitle, main, 200, true);
    }
    case 'resume': {
      const s = uiStrings(ctx.lang);
      const bad = ctx.notFound === true;
      const main = html`<h1>${s.resumeTitle}</h1>${
        bad &&
        html`<div class="es" id="es" role="alert" tabindex="-1" autofocus><p><a href="#f-code">${s.resumeNotFound}</a></p></div>`
      }${formOpen(ctx, s)}${hiddenFields(ctx)}<div class="q${bad && ' bad'}"><label for="f-code">${s.resumeLabel}</label><p class="h" id="h-code">${s.resumeHint}</p>${
        bad && html`<p class="er" id="e-code">${s.resumeNotFound}</p>`
      }<input type="text" name="code" id="f-code" dir="ltr" autocapitalize="characters" spellcheck="false" maxlength="16" required aria-describedby="h-code${
        bad && ' e-code'
      }"${bad && INVALID} value="${ctx.code ?? ''}"></div><div class="bt"><button class="p">${s.resumeButton}</button></div></form>`;
      return finish(ctx, s.resumeTitle, main, bad ? 400 : 200);
    }
    case 'closed': {
      const s = uiStrings(ctx.lang);
      return finish(ctx, s.closedTitle, titled(s.closedTitle, s.closedText), 200);
    }
    case 'invitation': {
      const s = uiStrings(ctx.lang);
      const text = ctx.reason === 'invalid' ? s.invitationInvalid : s.invitationNeeded;
      return finish(
        ctx,
        s.invitationTitle,
        titled(s.invitationTitle, text),
        ctx.reason === 'invalid' ? 409 : 403,
      );
    }
    case 'wave': {
      const w = uiStrings(ctx.lang).wave;
      const [title, text] =
        ctx.reason === 'answered'
          ? [w.answeredTitle, w.answered]
          : [w.title, ctx.reason === 'invalid' ? w.invalid : w.needed];
      const status = ctx.reason === 'needed' ? 403 : 409;
      return finish(ctx, title, titled(title, text), status, true);
    }
    case 'error': {
      const lang = ctx.lang ?? 'en';
      const e = uiStrings(lang).errorPages[ctx.kind];
      const body = documentHtml({
        lang,
        title: e.title,
        ...(ctx.resolved ? { resolved: ctx.resolved } : {}),
        ...(ctx.languageLinks ? { languageLinks: ctx.languageLinks } : {}),
        main: titled(e.title, e.text),
        script: false,
      });
      return { status: ctx.status ?? ERROR_STATUS[ctx.kind], headers: RESPOND_HEADERS, body };
    }
  }
}
