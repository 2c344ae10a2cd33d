/**
 * Small HTML builders for the studio's forms: labelled inputs with hints, Urdu fields laid out right to left,
 * checkboxes. Every value is escaped; ids are derived from the field name and a prefix unique per form.
 */
import { esc } from './layout.js';

export interface InputOptions {
  readonly hint?: string;
  readonly required?: boolean;
  readonly type?: 'text' | 'email' | 'number' | 'url' | 'tel';
  /** `ur` gives an Urdu field: `lang="ur" dir="rtl"`. */
  readonly lang?: string;
  readonly placeholder?: string;
  readonly maxlength?: number;
  readonly min?: number;
  readonly max?: number;
}

function langAttrs(lang: string | undefined): string {
  if (!lang) return '';
  return lang === 'ur' ? ' lang="ur" dir="rtl"' : ` lang="${esc(lang)}"`;
}

function hintHtml(id: string, hint: string | undefined): { html: string; attr: string } {
  if (!hint) return { html: '', attr: '' };
  return { html: `<span class="hint" id="${id}-h">${esc(hint)}</span>`, attr: ` aria-describedby="${id}-h"` };
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
  return (
    `<div class="field"><label for="${id}">${esc(label)}</label>${h.html}` +
    `<input type="${o.type ?? 'text'}" id="${id}" name="${esc(name)}" value="${esc(value)}"${h.attr}${langAttrs(o.lang)}` +
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
  return (
    `<div class="field"><label for="${id}">${esc(label)}</label>${h.html}` +
    `<textarea id="${id}" name="${esc(name)}" rows="${o.rows ?? 4}"${h.attr}${langAttrs(o.lang)}${o.required ? ' required' : ''}` +
    `${o.className ? ` class="${esc(o.className)}"` : ''} spellcheck="${o.className === 'json' ? 'false' : 'true'}">${esc(value)}</textarea></div>`
  );
}

/** A checkbox with its label. */
export function checkbox(
  prefix: string,
  name: string,
  label: string,
  on: boolean,
  o: { value?: string; hint?: string } = {},
): string {
  const id = `${prefix}-${name}${o.value !== undefined ? `-${o.value}` : ''}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return `<label class="check" for="${id}"><input type="checkbox" id="${id}" name="${esc(name)}" value="${esc(o.value ?? 'on')}"${on ? ' checked' : ''}><span>${esc(label)}${
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
): string {
  const id = `${prefix}-${name}`;
  const h = hintHtml(id, hint);
  return `<div class="field"><label for="${id}">${esc(label)}</label>${h.html}<select id="${id}" name="${esc(name)}"${h.attr}>${options
    .map(
      (o) =>
        `<option value="${esc(o.value)}"${o.value === value ? ' selected' : ''}>${esc(o.label)}</option>`,
    )
    .join('')}</select></div>`;
}
