/**
 * HTML built by a tagged template that escapes every interpolation unless it is already HTML.
 *
 * ```ts
 * const row = (c: Code) => html`<li class="${c.kind}">${c.name}</li>`;           // c.name is escaped
 * const page = html`<ul>${codes.map(row)}</ul>${note && html`<p>${note}</p>`}`;  // arrays joined, false → ''
 * const svg = raw(trustedSvg);                                                     // explicit, greppable
 * ```
 *
 * - strings and numbers are escaped (`& < > " '`), so they are safe in element content and in quoted
 *   attribute values (always quote attributes: `class="${x}"`);
 * - an {@link Html} (the result of `html`, `raw`, `join`) is inserted as is;
 * - arrays are rendered item by item and joined with nothing;
 * - `null`, `undefined` and `false` render nothing (so `cond && html\`…\`` works); `true` is refused, as is any
 *   other object (a `[object Object]` on a page is a bug, not a value);
 * - a number that is not finite is refused too: a page must never show `NaN` where a figure belongs.
 *
 * The result is an {@link Html} value, not a string: it cannot be concatenated into a string by accident
 * without `String(x)` (or `${x}` in a plain template), and `html` never escapes it twice.
 */
import { present } from '../../core/stats/at.js';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;
const escapeChar = (c: string): string => present(ESCAPES[c], 'an HTML escape');

/**
 * Escape text for element content or a quoted attribute value. The one escaping function of the server.
 * Most text has nothing to escape and comes back as it is (a test is cheaper than a replace that finds nothing:
 * the respondent page escapes a few hundred pieces per render).
 */
export function esc(s: string | number): string {
  const t = typeof s === 'string' ? s : String(s);
  return SPECIAL.test(t) ? t.replace(SPECIALS, escapeChar) : t;
}

/** A piece of HTML: markup that is safe to insert into a page as it is. */
export class Html {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
  /** The markup, for `reply.send` and for code that still builds pages from strings. */
  get text(): string {
    return this.#text;
  }
}

/** What may be interpolated into `html`. */
export type HtmlValue = Html | string | number | null | undefined | false | readonly HtmlValue[];

/** True for a value made by `html`, `raw` or `join`. */
export function isHtml(v: unknown): v is Html {
  return v instanceof Html;
}

/** Markup inserted as it is. Use only for text that is HTML by construction (a renderer's output, an SVG). */
export function raw(markup: string | Html): Html {
  return markup instanceof Html ? markup : new Html(markup);
}

/** The empty piece of HTML. */
export const EMPTY: Html = new Html('');

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.text;
  if (typeof v === 'string') return esc(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v))
      throw new TypeError(`html: the number ${v} cannot be shown on a page; format it (or show "–") first.`);
    return String(v);
  }
  if (Array.isArray(v)) {
    let out = '';
    for (const x of v as readonly HtmlValue[]) out += render(x);
    return out;
  }
  throw new TypeError(
    `html: cannot insert ${(v as unknown) === true ? 'true' : `a ${typeof v}`} into a page; pass text, a number, html\`…\`, raw(…), an array of those, or null/false for nothing.`,
  );
}

/** The tagged template: literals as written, interpolations escaped unless they are {@link Html}. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // The two common cases first, without the call to render().
    out += (typeof v === 'string' ? esc(v) : v instanceof Html ? v.text : render(v)) + (strings[i + 1] ?? '');
  }
  return new Html(out);
}

/** Items rendered and joined with `separator` (itself escaped unless it is Html). */
export function join(items: readonly HtmlValue[], separator: HtmlValue = ''): Html {
  const sep = render(separator);
  return new Html(items.map(render).join(sep));
}

/** ` name="value"` with the value escaped; nothing for undefined/null/false; ` name` for true. */
export function attr(name: string, value: string | number | boolean | null | undefined): Html {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new TypeError(`html: "${name}" is not an attribute name.`);
  if (value === undefined || value === null || value === false) return EMPTY;
  if (value === true) return new Html(` ${name}`);
  return new Html(` ${name}="${esc(value)}"`);
}
