/**
 * Small HTML builders for the studio's forms: labelled inputs with hints, Urdu fields laid out right to left,
 * checkboxes. Every value is escaped; ids are derived from the field name and a prefix unique per form.
 * A field with a problem shows it under its label (`<id>-e`, linked with aria-describedby, aria-invalid) and
 * the first such field of the page takes the focus (`autofocus`: no script needed).
 */
import { esc } from './layout.js';

/** A field's problem after a failed post: the message shown next to it, and whether it takes the focus. */
export interface FieldState {
  readonly error?: string;
  readonly autofocus?: boolean;
}

/** The error line of a field and the attributes that tie it to the control. */
function errorHtml(id: string, s: FieldState | undefined): { html: string; ids: string; attr: string } {
  if (!s?.error) return { html: '', ids: '', attr: '' };
  return {
    html: `<span class="field-error" id="${id}-e">${esc(s.error)}</span>`,
    ids: `${id}-e`,
    attr: ` aria-invalid="true"${s.autofocus ? ' autofocus' : ''}`,
  };
}

/** `aria-describedby` naming the hint and the error line of a field, when there are any. */
function describedBy(...ids: string[]): string {
  const list = ids.filter((x) => x !== '');
  return list.length ? ` aria-describedby="${list.join(' ')}"` : '';
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

function langAttrs(lang: string | undefined): string {
  if (!lang) return '';
  return lang === 'ur' ? ' lang="ur" dir="rtl"' : ` lang="${esc(lang)}"`;
}

function hintHtml(id: string, hint: string | undefined): { html: string; id: string } {
  if (!hint) return { html: '', id: '' };
  return { html: `<span class="hint" id="${id}-h">${esc(hint)}</span>`, id: `${id}-h` };
}

/** A labelled single-line input. */
export function input(
  prefix: string,
  name: string,
  label: string,
  value: string,
  o: InputOptions = {},
): string {
  const id = `${prefix}-${name}`;
  const h = hintHtml(id, o.hint);
  const e = errorHtml(id, o.state);
  return (
    `<div class="field"><label for="${id}">${esc(label)}</label>${h.html}${e.html}` +
    `<input type="${o.type ?? 'text'}" id="${id}" name="${esc(name)}" value="${esc(value)}"${describedBy(h.id, e.ids)}${e.attr}${langAttrs(o.lang)}` +
    `${o.required ? ' required' : ''}${o.placeholder ? ` placeholder="${esc(o.placeholder)}"` : ''}` +
    `${o.maxlength !== undefined ? ` maxlength="${o.maxlength}"` : ''}${o.min !== undefined ? ` min="${o.min}"` : ''}${o.max !== undefined ? ` max="${o.max}"` : ''}></div>`
  );
}

/** A labelled textarea. */
export function textarea(
  prefix: string,
  name: string,
  label: string,
  value: string,
  o: InputOptions & { rows?: number; className?: string } = {},
): string {
  const id = `${prefix}-${name}`;
  const h = hintHtml(id, o.hint);
  const e = errorHtml(id, o.state);
  return (
    `<div class="field"><label for="${id}">${esc(label)}</label>${h.html}${e.html}` +
    `<textarea id="${id}" name="${esc(name)}" rows="${o.rows ?? 4}"${describedBy(h.id, e.ids)}${e.attr}${langAttrs(o.lang)}${o.required ? ' required' : ''}` +
    `${o.className ? ` class="${esc(o.className)}"` : ''} spellcheck="${o.className === 'json' ? 'false' : 'true'}">${esc(value)}</textarea></div>`
  );
}

/** A checkbox with its label. */
export function checkbox(
  prefix: string,
  name: string,
  label: string,
  on: boolean,
  o: { value?: string; hint?: string; state?: FieldState | undefined; describedBy?: string } = {},
): string {
  const id = `${prefix}-${name}${o.value !== undefined ? `-${o.value}` : ''}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const problem = o.state?.error
    ? ` aria-invalid="true"${o.state.autofocus ? ' autofocus' : ''}${describedBy(o.describedBy ?? '')}`
    : '';
  return `<label class="check" for="${id}"><input type="checkbox" id="${id}" name="${esc(name)}" value="${esc(o.value ?? 'on')}"${on ? ' checked' : ''}${problem}><span>${esc(label)}${
    o.hint ? `<br><span class="hint">${esc(o.hint)}</span>` : ''
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
): string {
  const id = `${prefix}-${name}`;
  const h = hintHtml(id, hint);
  const e = errorHtml(id, state);
  return `<div class="field"><label for="${id}">${esc(label)}</label>${h.html}${e.html}<select id="${id}" name="${esc(name)}"${describedBy(h.id, e.ids)}${e.attr}>${options
    .map(
      (o) =>
        `<option value="${esc(o.value)}"${o.value === value ? ' selected' : ''}>${esc(o.label)}</option>`,
    )
    .join('')}</select></div>`;
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
): string {
  const e = errorHtml(`${prefix}-${name}`, state);
  return `<fieldset><legend>${esc(legend)}</legend>${e.html}${boxes
    .map((b, i) =>
      checkbox(prefix, name, b.label, b.on, {
        value: b.value,
        ...(state?.error
          ? { state: { error: state.error, autofocus: i === 0 && state.autofocus === true } }
          : {}),
        describedBy: e.ids,
      }),
    )
    .join('')}</fieldset>`;
}
