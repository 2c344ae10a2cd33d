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
import { RESPOND_CSS, RESPOND_JS } from './assets.js';
import { attr, esc, paragraphs, safeHttpUrl, telHref } from './html.js';

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
function langOf(ls: LocalizedString, pageLang: string): string {
  if (baseLanguage(ls.lang) === baseLanguage(pageLang)) return '';
  return ` lang="${esc(ls.lang)}" dir="${textDirection(ls.lang)}"`;
}

/**
 * Localized text (in `lang` when it has it) as escaped HTML, wrapped in a span with its language when that
 * differs from `ctxLang`, the language of the element it goes in (the page's, or a fallen-back item's).
 */
function txt(t: LocalizedText | undefined, lang: string, fallback = '', ctxLang = lang): string {
  const ls = localize(t, lang);
  if (!ls) return esc(fallback);
  const l = langOf(ls, ctxLang);
  return l ? `<span${l}>${esc(ls.text)}</span>` : esc(ls.text);
}

function plain(t: LocalizedText | undefined, lang: string): string {
  return localize(t, lang)?.text ?? '';
}

interface Shell {
  readonly lang: string;
  readonly title: string;
  readonly resolved?: ResolvedStudy;
  readonly main: string;
  readonly languageLinks?: RespondCommon['languageLinks'];
  readonly languageButtons?: RespondCommon['languageButtons'];
  readonly script: boolean;
  /** An end page: the script clears autosaved answers. */
  readonly end?: boolean;
  /** A follow-up wave: the confidentiality notice at the top of the page. */
  readonly wave?: boolean;
}

/**
 * ` lang=".." dir=".."` for the study's title (a plain string in whichever language the researcher typed it)
 * on a page in `pageLang`: when its first strong letter is in the other direction than the page (an English
 * title on an Urdu page, or the reverse), it is marked with the study's first language of that direction, so
 * a screen reader reads it with the right voice and it is laid out on its own side. Otherwise `dir="auto"`.
 */
function studyTitleLang(title: string, languages: readonly string[], pageLang: string): string {
  const dir = firstStrongDirection(title);
  if (!dir || dir === textDirection(pageLang)) return ' dir="auto"';
  const own = languages.find((l) => textDirection(l) === dir);
  return own ? ` lang="${esc(own)}" dir="${dir}"` : ` dir="${dir}"`;
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
): string {
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
function languageNav(sh: Shell, s: UiStrings): string {
  const other = (l: string) => baseLanguage(l) !== baseLanguage(sh.lang);
  const mark = (l: string) => `lang="${esc(l)}" dir="${textDirection(l)}"`;
  const buttons = (sh.languageButtons ?? []).filter(other);
  const links = (sh.languageLinks ?? []).filter((l) => other(l.lang));
  const inner = buttons.length
    ? buttons
        .map(
          (l) =>
            `<button class="ln" form="${LANGUAGE_FORM}" name="_nav" value="lang:${esc(l)}" formnovalidate ${mark(l)}>${esc(uiStrings(l).languageName)}</button>`,
        )
        .join('')
    : links
        .map(
          (l) =>
            `<a href="${esc(l.href)}" hreflang="${esc(l.lang)}" ${mark(l.lang)}>${esc(uiStrings(l.lang).languageName)}</a>`,
        )
        .join('');
  return inner ? `<nav aria-label="${esc(s.languageNav)}">${inner}</nav>` : '';
}

function documentHtml(sh: Shell): string {
  const s = uiStrings(sh.lang);
  const study = sh.resolved?.study;
  const nav = languageNav(sh, s);
  const studyTitle = study ? studyText(study.title, study.languages, sh.lang) : undefined;
  const header =
    study && studyTitle
      ? `<header><p${studyTitleAttrs(studyTitle, study.languages, sh.lang)}>${esc(studyTitle.text)}</p>${nav}</header>`
      : '';
  const footer = sh.resolved ? footerHtml(sh.resolved.instruments) : '';
  const title = studyTitle ? `${sh.title} – ${studyTitle.text}` : sh.title;
  return (
    `<!doctype html><html lang="${esc(sh.lang)}" dir="${textDirection(sh.lang)}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">' +
    `<title>${esc(title)}</title><style>${RESPOND_CSS}</style></head><body${sh.end ? ' data-end' : ''}>` +
    `${header}<main>${sh.wave ? `<p class="h" role="note">${esc(s.wave.notice)}</p>` : ''}${sh.main}</main>${footer}${sh.script ? `<script>${RESPOND_JS}</script>` : ''}</body></html>`
  );
}

/** The licence line each instrument's owner requires on forms. */
function footerHtml(instruments: readonly Instrument[]): string {
  if (!instruments.length) return '';
  return `<footer>${instruments.map((i) => `<p lang="en" dir="ltr">${esc(i.licence.attribution)}</p>`).join('')}</footer>`;
}

export function hiddenFields(c: RespondCommon, pageId?: string): string {
  let h = '';
  for (const [k, v] of Object.entries(c.hidden ?? {}))
    h += `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`;
  if (pageId !== undefined) h += `<input type="hidden" name="_page" value="${esc(pageId)}">`;
  if (c.idempotencyKey !== undefined)
    h += `<input type="hidden" name="_idem" value="${esc(c.idempotencyKey)}">`;
  return h;
}

/**
 * Before a session exists (the first page posted starts one): the box for a shared phone. Ticked, the session
 * carries `_shared=1` and the script keeps nothing in the browser's storage (and clears what is there).
 */
function sharedDeviceBox(c: RespondCommon, s: UiStrings): string {
  if (c.hidden?._t !== undefined || !c.resumeHref) return '';
  return `<p class="o"><label><input type="checkbox" name="_shared" value="1">${esc(s.sharedDevice)}</label></p>`;
}

/**
 * `novalidate`: the browser's own (English-only) popups never replace the server's translated summary; the
 * script's check shows the same summary (`data-s` its heading, `data-e` the title prefix, `data-m` the message).
 */
export function formOpen(c: RespondCommon, s: UiStrings, pageKey?: string): string {
  const data = pageKey
    ? ` data-k="${esc(pageKey)}" data-m="${esc(s.jsRequired)}" data-s="${esc(s.errorSummaryTitle)}" data-e="${esc(s.errorTitlePrefix)}"`
    : '';
  return `<form method="post" action="${esc(c.action ?? '')}" id="${LANGUAGE_FORM}" autocomplete="off" novalidate${data}>`;
}

function progressHtml(s: UiStrings, current: number, total: number): string {
  return `<p class="pg" id="pg">${esc(s.pageOf(current, total))}</p><progress max="${total}" value="${current}" aria-labelledby="pg"></progress>`;
}

function errorSummary(s: UiStrings, errors: readonly FieldError[], fieldIds: ReadonlySet<string>): string {
  if (!errors.length) return '';
  const items = errors
    .map((e) =>
      fieldIds.has(e.field)
        ? `<li><a href="#f-${esc(e.field)}">${esc(e.message)}</a></li>`
        : `<li>${esc(e.message)}</li>`,
    )
    .join('');
  // `autofocus`: without JavaScript the browser moves focus to the summary, so it is read out first.
  return `<div class="es" id="es" role="alert" tabindex="-1" autofocus><h2>${esc(s.errorSummaryTitle)}</h2><ul>${items}</ul></div>`;
}

/** The values to prefill an item with: the posted fields after errors, otherwise the stored answer. */
function currentValues(fi: FlowItem, answers: Answers, fields: FormFields | undefined): string[] {
  if (fields) {
    const raw = fields[fi.id];
    return raw === undefined ? [] : typeof raw === 'string' ? [raw] : [...raw];
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

function itemHtml(
  fi: FlowItem,
  lang: string,
  s: UiStrings,
  cur: string[],
  error: FieldError | undefined,
  markRequired: boolean,
): string {
  const id = esc(fi.id);
  const it = fi.item;
  const required = it.required;
  // A grid row is labelled by its statement alone; the grid's question is the legend of the group around it.
  const text = fi.grid ? fi.grid.row.text : it.text;
  // An item without text in the page's language is shown in its own language: the whole item (number,
  // text, options) is laid out in that language's direction, and the page-language parts inside it (the
  // required mark, hints, errors) carry the page's lang/dir. Otherwise "1. " would sit on the wrong side.
  const ls = text ? localize(text, lang) : undefined;
  const own = ls && baseLanguage(ls.lang) !== baseLanguage(lang) ? ls.lang : lang;
  const ownAttr = own === lang ? '' : ` lang="${esc(own)}" dir="${textDirection(own)}"`;
  const pageAttr = own === lang ? '' : ` lang="${esc(lang)}" dir="${textDirection(lang)}"`;
  const textHtml = ls ? esc(ls.text) : esc(itemName(fi, lang));
  const label = `${fi.number !== undefined ? `${fi.number}. ` : ''}${textHtml}${markRequired && required && !fi.grid ? ` <span class="rq"${pageAttr}>(${esc(s.required)})</span>` : ''}`;
  const err = error ? `<p class="er" id="e-${id}"${pageAttr}>${esc(error.message)}</p>` : '';
  const cls = `q${it.type === 'scale' || fi.grid ? ' l' : ''}${error ? ' bad' : ''}`;
  const dataR = required ? ' data-r' : '';

  if (it.type === 'scale' || it.type === 'single' || it.type === 'multiple') {
    const type = it.type === 'multiple' ? 'checkbox' : 'radio';
    const opts: { value: string; label: string }[] = (fi.scale?.options ?? it.options ?? []).map((o) => ({
      value: String(o.value),
      label: txt(o.label, lang, String(o.value), own),
    }));
    if (it.notApplicable) {
      const na = fi.scale?.notApplicableLabel;
      opts.push({
        value: 'na',
        label: na
          ? txt(na, lang, '', own)
          : pageAttr
            ? `<span${pageAttr}>${esc(s.notApplicable)}</span>`
            : esc(s.notApplicable),
      });
    }
    const chosen = new Set(cur);
    const inputs = opts
      .map(
        (o, k) =>
          `<label><input type="${type}" name="${id}" value="${esc(o.value)}"${k === 0 ? ` id="f-${id}"` : ''}${error ? ` aria-describedby="e-${id}"` : ''}${chosen.has(o.value) ? ' checked' : ''}${
            k === 0 && required && type === 'radio' ? ' required' : ''
          }> ${o.label}</label>`,
      )
      .join('');
    const hint = it.type === 'multiple' ? `<p class="h"${pageAttr}>${esc(s.chooseAll)}</p>` : '';
    // The message is linked to the group and to each of its inputs (read with whichever gets focus).
    return `<fieldset class="${cls}" id="q-${id}"${ownAttr}${error ? ` aria-describedby="e-${id}" aria-invalid="true"` : ''}${dataR}><legend>${label}</legend>${hint}${err}<div class="o">${inputs}</div></fieldset>`;
  }

  // number, text, longtext: one labelled input.
  let hint = '';
  if (it.type === 'number') hint = s.numberHint(it.min, it.max, it.integer === true);
  else if (it.maxLength !== undefined) hint = s.maxChars(it.maxLength);
  const described = [hint ? `h-${id}` : '', error ? `e-${id}` : ''].filter(Boolean).join(' ');
  const common =
    ` name="${id}" id="f-${id}"${attr('aria-describedby', described || undefined)}${error ? ' aria-invalid="true"' : ''}${required ? ' required' : ''}` +
    attr('maxlength', it.type === 'number' ? 32 : it.maxLength);
  const value = cur[0] ?? '';
  // The answer is typed in the page's language.
  const input =
    it.type === 'longtext'
      ? `<textarea rows="4"${common}${pageAttr}>${esc(value)}</textarea>`
      : `<input type="text"${it.type === 'number' ? ` inputmode="${it.integer ? 'numeric' : 'decimal'}"` : ''}${common}${pageAttr} value="${esc(value)}">`;
  return `<div class="${cls}" id="q-${id}"${ownAttr}${dataR}><label for="f-${id}">${label}</label>${hint ? `<p class="h" id="h-${id}"${pageAttr}>${esc(hint)}</p>` : ''}${err}${input}</div>`;
}

/**
 * A study's intro text (a page's, or the one before an instrument): plain text as paragraphs, escaped, with
 * its own lang/dir when it falls back to another language than the page's.
 */
function introHtml(t: LocalizedText | undefined, lang: string): string {
  const ls = localize(t, lang);
  return ls ? `<div class="in"${langOf(ls, lang)}>${paragraphs(ls.text)}</div>` : '';
}

function pageTitle(page: FlowPage, s: UiStrings, lang: string): { html: string; plain: string } {
  if (page.kind === 'consent') return { html: esc(s.consentTitle), plain: s.consentTitle };
  if (page.title) return { html: txt(page.title, lang), plain: plain(page.title, lang) };
  const t = page.kind === 'eligibility' ? s.eligibilityTitle : s.questionsTitle;
  return { html: esc(t), plain: t };
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
  const resume =
    firstShown && c.resumeHref ? `<p><a href="${esc(c.resumeHref)}">${esc(s.haveCode)}</a></p>` : '';
  let body = `<h1>${title.html}</h1>${progressHtml(s, pr.current, pr.total)}`;

  if (page.kind === 'consent') {
    const consent = study.collection.consent;
    const ls = consentShown(c.resolved, lang);
    const agree = consent?.agreeLabel ? txt(consent.agreeLabel, lang) : esc(s.consentAgree);
    body +=
      errorSummary(s, errors, new Set()) +
      (ls ? `<div${langOf(ls, lang)}>${paragraphs(ls.text)}</div>` : '') +
      (consent ? `<p class="h">${esc(s.consentVersion(consent.version))}</p>` : '') +
      `${formOpen(c, s)}${hiddenFields(c, page.id)}${sharedDeviceBox(c, s)}<div class="bt"><button class="p" name="_consent" value="agree">${agree}</button>` +
      `<button name="_consent" value="decline">${esc(s.consentDecline)}</button></div></form>${resume}`;
    return finish(c, title.plain, body, errors.length ? 400 : 200);
  }

  const visible = visibleItems(page, answers);
  const ids = new Set(visible.map((fi) => fi.id));
  const errBy = new Map<string, FieldError>();
  for (const e of errors) if (ids.has(e.field) && !errBy.has(e.field)) errBy.set(e.field, e);
  const allRequired = visible.length > 0 && visible.every((fi) => fi.item.required);
  body += errorSummary(s, errors, ids) + introHtml(page.intro, lang);
  if (allRequired) body += `<p class="h">${esc(s.allRequired)}</p>`;

  let items = '';
  const introduced = new Set<string>();
  let openGrid: FlowItem['grid'] | undefined;
  for (const fi of visible) {
    // The rows of a grid question sit in one fieldset whose legend is the question (nested fieldsets: a
    // screen reader announces the question, then each row's statement; rows wrap like Likert items at 360 px).
    if (openGrid && fi.grid?.question !== openGrid.question) {
      items += '</fieldset>';
      openGrid = undefined;
    }
    if (fi.grid && !openGrid) {
      openGrid = fi.grid;
      const q = fi.grid.question;
      items += `<fieldset class="gd" id="g-${esc(q.id)}"><legend>${txt(q.text, lang, q.id)}${!allRequired && q.required ? ` <span class="rq">(${esc(s.required)})</span>` : ''}</legend>`;
    }
    const ins = fi.instrument;
    if (ins && !introduced.has(ins.id)) {
      introduced.add(ins.id);
      if (plain(page.title, lang) !== plain(ins.title, lang)) items += `<h2>${txt(ins.title, lang)}</h2>`;
      // The study's own intro comes before the instrument's instructions (its stem).
      items += introHtml(flow.instrumentIntros.get(ins.id), lang);
      const instr = localize(ins.instructions, lang);
      if (instr) items += `<div${langOf(instr, lang)}>${paragraphs(instr.text)}</div>`;
    }
    items += itemHtml(fi, lang, s, currentValues(fi, answers, c.fields), errBy.get(fi.id), !allRequired);
  }
  if (openGrid) items += '</fieldset>';

  const buttons =
    `<div class="bt"><button class="p" name="_nav" value="next">${esc(s.next)}</button>` +
    (prev ? `<button name="_nav" value="back" formnovalidate>${esc(s.back)}</button>` : '') +
    (page.kind === 'content'
      ? `<button name="_nav" value="save" formnovalidate>${esc(s.saveLater)}</button>`
      : '') +
    '</div>';
  body += `${formOpen(c, s, `${study.id}:${page.id}`)}${hiddenFields(c, page.id)}${sharedDeviceBox(c, s)}${items}${buttons}</form>${resume}`;
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
      return `<li><span>${t.html}</span><span>${esc(s.answeredOf(done, vis.length))}</span><button name="_nav" value="goto:${esc(p.id)}" formnovalidate>${esc(s.change)}<span class="vh"> ${t.html}</span></button></li>`;
    })
    .join('');
  const body =
    `<h1>${esc(s.reviewTitle)}</h1>${progressHtml(s, pr.current, pr.total)}${errorSummary(s, c.errors ?? [], new Set())}<p>${esc(s.reviewIntro)}</p>` +
    `${formOpen(c, s, `${c.resolved.study.id}:review`)}${hiddenFields(c, 'review')}<ul class="rv">${rows}</ul>` +
    `<div class="bt"><button class="p" name="_nav" value="submit">${esc(s.submit)}</button><button name="_nav" value="back" formnovalidate>${esc(s.back)}</button>` +
    `<button name="_nav" value="save" formnovalidate>${esc(s.saveLater)}</button></div></form>`;
  return finish(c, s.reviewTitle, body, c.errors?.length ? 400 : 200);
}

/** A whole page; status 400 is a page re-shown with errors, whose title then starts with "Error: ". */
export function finish(
  c: RespondCommon,
  title: string,
  main: string,
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
function volunteerOffer(href: string | undefined, s: UiStrings): string {
  if (!href) return '';
  const v = s.volunteer;
  return `<h2>${esc(v.offerTitle)}</h2><p>${esc(v.offerText)}</p><p><a class="vo" href="${esc(href)}">${esc(v.offerLink)}</a></p>`;
}

/** The study's support contacts as a list (the support page; every end page with `supportForAll`). */
function contactList(resolved: ResolvedStudy, lang: string, s: UiStrings): string {
  return resolved.study.collection.supportContacts
    .map((sc) => {
      const name = txt(sc.name, lang);
      const desc = sc.description ? `<p>${txt(sc.description, lang)}</p>` : '';
      const hours = sc.hours ? `<p>${esc(s.hours)}: ${txt(sc.hours, lang)}</p>` : '';
      const tel = sc.phone ? telHref(sc.phone) : undefined;
      const phone = sc.phone
        ? `<p>${tel ? `<a href="${esc(tel)}">${esc(s.call)} <bdi dir="ltr">${esc(sc.phone)}</bdi></a>` : `<bdi dir="ltr">${esc(sc.phone)}</bdi>`}</p>`
        : '';
      const url = safeHttpUrl(sc.url);
      const web = url
        ? `<p><a href="${esc(url)}" rel="noopener noreferrer">${esc(s.website)}: <bdi dir="ltr">${esc(url)}</bdi></a></p>`
        : '';
      return `<li><h2>${name}</h2>${desc}${phone}${hours}${web}</li>`;
    })
    .join('');
}

/** The support contacts on every respondent's thank-you page, when the study shows them to everyone. */
function supportForAll(resolved: ResolvedStudy, lang: string, s: UiStrings): string {
  const col = resolved.study.collection;
  if (!col.supportForAll || !col.supportContacts.length) return '';
  return `<h2>${esc(s.supportForAllTitle)}</h2><ul class="sc">${contactList(resolved, lang, s)}</ul><p>${esc(s.supportEmergency)}</p>`;
}

function supportHtml(resolved: ResolvedStudy, lang: string, s: UiStrings): string {
  const contacts = contactList(resolved, lang, s);
  return `<h1>${esc(s.supportTitle)}</h1><p>${esc(s.supportIntro)}</p><ul class="sc">${contacts}</ul><p><strong>${esc(s.supportEmergency)}</strong></p><p>${esc(s.supportPrivacy)}</p><p>${esc(s.thanksText)}</p>`;
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
      const ty = ctx.resolved.study.collection.thankYou;
      const tyLs = localize(ty, ctx.lang);
      const text = tyLs
        ? `<div${langOf(tyLs, ctx.lang)}>${paragraphs(tyLs.text)}</div>`
        : `<p>${esc(s.thanksText)}</p>`;
      const share = ctx.referralLink
        ? `<h2>${esc(s.shareTitle)}</h2><p>${esc(s.shareText)}</p><p dir="ltr"><a href="${esc(ctx.referralLink)}">${esc(ctx.referralLink)}</a></p>`
        : '';
      return finish(
        ctx,
        s.thanksTitle,
        `<h1>${esc(s.thanksTitle)}</h1>${text}${supportForAll(ctx.resolved, ctx.lang, s)}${volunteerOffer(ctx.volunteerHref, s)}<p>${esc(s.closePage)}</p>${share}`,
        200,
        true,
      );
    }
    case 'support': {
      const s = uiStrings(ctx.lang);
      const main = supportHtml(ctx.resolved, ctx.lang, s) + volunteerOffer(ctx.volunteerHref, s);
      return finish(ctx, s.supportTitle, main, 200, true);
    }
    case 'ineligible': {
      const s = uiStrings(ctx.lang);
      const m = localize(ctx.resolved.study.collection.eligibility?.ineligibleMessage, ctx.lang);
      const text = m
        ? `<div${langOf(m, ctx.lang)}>${paragraphs(m.text)}</div>`
        : `<p>${esc(s.ineligibleText)}</p>`;
      return finish(
        ctx,
        s.ineligibleTitle,
        `<h1>${esc(s.ineligibleTitle)}</h1>${text}<p>${esc(s.closePage)}</p>`,
        200,
        true,
      );
    }
    case 'declined': {
      const s = uiStrings(ctx.lang);
      return finish(
        ctx,
        s.declinedTitle,
        `<h1>${esc(s.declinedTitle)}</h1><p>${esc(s.declinedText)}</p>`,
        200,
        true,
      );
    }
    case 'resume-code': {
      const s = uiStrings(ctx.lang);
      const main =
        `<h1>${esc(s.resumeCodeTitle)}</h1><p>${esc(s.resumeCodeIs)}:</p><p class="code">${esc(ctx.code)}</p><p>${esc(s.resumeCodeHelp)}</p>` +
        (ctx.expires ? `<p>${esc(s.resumeCodeExpires(ctx.expires))}</p>` : '') +
        (ctx.continueHref ? `<p><a href="${esc(ctx.continueHref)}">${esc(s.continueNow)}</a></p>` : '');
      return finish(ctx, s.resumeCodeTitle, main, 200, true);
    }
    case 'resume': {
      const s = uiStrings(ctx.lang);
      const err = ctx.notFound ? `<p class="er" id="e-code">${esc(s.resumeNotFound)}</p>` : '';
      const main =
        `<h1>${esc(s.resumeTitle)}</h1>${ctx.notFound ? `<div class="es" id="es" role="alert" tabindex="-1" autofocus><p><a href="#f-code">${esc(s.resumeNotFound)}</a></p></div>` : ''}` +
        `${formOpen(ctx, s)}${hiddenFields(ctx)}<div class="q${ctx.notFound ? ' bad' : ''}"><label for="f-code">${esc(s.resumeLabel)}</label>` +
        `<p class="h" id="h-code">${esc(s.resumeHint)}</p>${err}<input type="text" name="code" id="f-code" dir="ltr" autocapitalize="characters" spellcheck="false" maxlength="16" required` +
        ` aria-describedby="h-code${ctx.notFound ? ' e-code' : ''}"${ctx.notFound ? ' aria-invalid="true"' : ''} value="${esc(ctx.code ?? '')}"></div>` +
        `<div class="bt"><button class="p">${esc(s.resumeButton)}</button></div></form>`;
      return finish(ctx, s.resumeTitle, main, ctx.notFound ? 400 : 200);
    }
    case 'closed': {
      const s = uiStrings(ctx.lang);
      return finish(ctx, s.closedTitle, `<h1>${esc(s.closedTitle)}</h1><p>${esc(s.closedText)}</p>`, 200);
    }
    case 'invitation': {
      const s = uiStrings(ctx.lang);
      const text = ctx.reason === 'invalid' ? s.invitationInvalid : s.invitationNeeded;
      return finish(
        ctx,
        s.invitationTitle,
        `<h1>${esc(s.invitationTitle)}</h1><p>${esc(text)}</p>`,
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
      return finish(ctx, title, `<h1>${esc(title)}</h1><p>${esc(text)}</p>`, status, true);
    }
    case 'error': {
      const lang = ctx.lang ?? 'en';
      const s = uiStrings(lang);
      const e = s.errorPages[ctx.kind];
      const body = documentHtml({
        lang,
        title: e.title,
        ...(ctx.resolved ? { resolved: ctx.resolved } : {}),
        ...(ctx.languageLinks ? { languageLinks: ctx.languageLinks } : {}),
        main: `<h1>${esc(e.title)}</h1><p>${esc(e.text)}</p>`,
        script: false,
      });
      return { status: ctx.status ?? ERROR_STATUS[ctx.kind], headers: RESPOND_HEADERS, body };
    }
  }
}
