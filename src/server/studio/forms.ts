/**
 * Small HTML builders for the studio's forms: labelled inputs with hints, Urdu fields laid out right to left,
 * checkboxes. Built with `html` (every value escaped); ids are derived from the field name and a prefix unique
 * per form. A field with a problem shows it under its label (`<id>-e`, linked with aria-describedby,
 * aria-invalid) and the first such field of the page takes the focus (`autofocus`: no script needed).
 */
import { attr, EMPTY, type Html, html } from '../ui/html.js';

/** A field's problem after a failed post: the message shown next to it, and whether it takes the focus. */
export interface FieldState {
  readonly error?: string;
  readonly autofocus?: boolean;
}

/** The error line of a field and the attributes that tie it to the control. */
function errorHtml(id: string, s: FieldState | undefined): { html: Html; ids: string; attr: Html } {
  if (!s?.error) return { html: EMPTY, ids: '', attr: EMPTY };
  return {
    html: html`<span class="field-error" id="${id}-e">${s.error}</span>`,
    ids: `${id}-e`,
    attr: html` aria-invalid="true"${attr('autofocus', s.autofocus === true)}`,
  };
}

/** `aria-describedby` naming the hint and the error line of a field, when there are any. */
function describedBy(...ids: string[]): Html {
  const list = ids.filter((x) => x !== '');
  return attr('aria-describedby', list.length ? list.join(' ') : undefined);
}

interface InputOptions {
  readonly hint?: string;
  readonly required?: boolean;
  readonly type?: 'text' | 'email' | 'number' | 'url' | 'tel' | 'date';
  /** `ur` gives an Urdu field: `lang="ur" dir="rtl"`. */
  readonly lang?: string;
  readonly placeholder?: string;
  readonly maxlength?: number;
  readonly min?: number;
  readonly max?: number;
  /** The field's problem after a failed post. */
  readonly state?: FieldState | undefined;
}

function langAttrs(lang: string | undefined): Html {
  if (!lang) return EMPTY;
  return lang === 'ur' ? html` lang="ur" dir="rtl"` : attr('lang', lang);
}

function hintHtml(id: string, hint: string | undefined): { html: Html; id: string } {
  if (!hint) return { html: EMPTY, id: '' };
  return { html: html`<span class="hint" id="${id}-h">${hint}</span>`, id: `${id}-h` };
}

/** The label, hint and error line above a control with this id. */
function fieldHead(id: string, label: string, h: { html: Html }, e: { html: Html }): Html {
  return html`<label for="${id}">${label}</label>${h.html}${e.html}`;
}

/** A labelled single-line input. */
export function input(
  prefix: string,
  name: string,
  label: string,
  value: string,
  o: InputOptions = {},
): Html {
  const id = `${prefix}-${name}`;
  const h = hintHtml(id, o.hint);
  const e = errorHtml(id, o.state);
  return html`<div class="field">${fieldHead(id, label, h, e)}<input type="${o.type ?? 'text'}" id="${id}" name="${name}" value="${value}"${describedBy(h.id, e.ids)}${e.attr}${langAttrs(o.lang)}${attr('required', o.required)}${attr('placeholder', o.placeholder || undefined)}${attr('maxlength', o.maxlength)}${attr('min', o.min)}${attr('max', o.max)}></div>`;
}

/** A labelled textarea. */
export function textarea(
  prefix: string,
  name: string,
  label: string,
  value: string,
  o: InputOptions & { rows?: number; className?: string } = {},
): Html {
  const id = `${prefix}-${name}`;
  const h = hintHtml(id, o.hint);
  const e = errorHtml(id, o.state);
  return html`<div class="field">${fieldHead(id, label, h, e)}<textarea id="${id}" name="${name}" rows="${o.rows ?? 4}"${describedBy(h.id, e.ids)}${e.attr}${langAttrs(o.lang)}${attr('required', o.required)}${attr('class', o.className || undefined)} spellcheck="${o.className === 'json' ? 'false' : 'true'}">${value}</textarea></div>`;
}

/** A checkbox with its label. */
export function checkbox(
  prefix: string,
  name: string,
  label: string,
  on: boolean,
  o: { value?: string; hint?: string; state?: FieldState | undefined; describedBy?: string } = {},
): Html {
  const id = `${prefix}-${name}${o.value !== undefined ? `-${o.value}` : ''}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const problem =
    o.state?.error &&
    html` aria-invalid="true"${attr('autofocus', o.state.autofocus === true)}${describedBy(o.describedBy ?? '')}`;
  return html`<label class="check" for="${id}"><input type="checkbox" id="${id}" name="${name}" value="${o.value ?? 'on'}"${attr('checked', on)}${problem}><span>${label}${
    o.hint && html`<br><span class="hint">${o.hint}</span>`
  }</span></label>`;
}

/** A labelled select. */
export function select(
  prefix: string,
  name: string,
  label: string,
  value: string,
  options: readonly { value: string; label: string }[],
  hint?: string,
  state?: FieldState,
): Html {
  const id = `${prefix}-${name}`;
  const h = hintHtml(id, hint);
  const e = errorHtml(id, state);
  return html`<div class="field">${fieldHead(id, label, h, e)}<select id="${id}" name="${name}"${describedBy(h.id, e.ids)}${e.attr}>${options.map(
    (o) => html`<option value="${o.value}"${attr('selected', o.value === value)}>${o.label}</option>`,
  )}</select></div>`;
}

/**
 * Checkboxes of one repeated field under a legend (e.g. the predictors of a model). A problem is shown under the
 * legend (`<prefix>-<name>-e`), every box is described by it, and the first box takes the focus when asked.
 */
export function checkGroup(
  prefix: string,
  name: string,
  legend: string,
  boxes: readonly { value: string; label: string; on: boolean }[],
  state?: FieldState,
): Html {
  const e = errorHtml(`${prefix}-${name}`, state);
  return html`<fieldset><legend>${legend}</legend>${e.html}${boxes.map((b, i) =>
    checkbox(prefix, name, b.label, b.on, {
      value: b.value,
      ...(state?.error
        ? { state: { error: state.error, autofocus: i === 0 && state.autofocus === true } }
        : {}),
      describedBy: e.ids,
    }),
  )}</fieldset>`;
}
