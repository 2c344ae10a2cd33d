/**
 * Writes simulated respondents in the shape of a Google Forms CSV export: a `Timestamp` column, one column
 * per question titled with its text, grid rows as `Stem [Row text]`, answers as option labels, "select all
 * that apply" answers joined with ", ", and an empty cell for no answer.
 */
import type { LocalizedText } from '../instrument/schema.js';
import type { SimAnswer, SimItem } from './respondents.js';
import type { Rng } from './rng.js';

export interface FormColumn {
  readonly sim: SimItem;
  /** For grid rows: the grid's title; the header becomes `stem [row]`. */
  readonly gridStem?: string;
  /** Label written for "not applicable". */
  readonly notApplicableLabel?: string;
}

function text(t: LocalizedText | undefined, lang: string, fallback: string): string {
  if (!t) return fallback;
  return t[lang] ?? t.en ?? Object.values(t)[0] ?? fallback;
}

/**
 * RFC 4180 quoting as Google Forms' own download does it: quoted when the field has a comma, quote, CR or LF,
 * nothing else changed (unlike render/csv.ts `csvField`, which also neutralises formulas for nabz's exports).
 */
function googleFormsField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function googleFormsHeader(columns: readonly FormColumn[], lang = 'en'): string {
  const cells = ['Timestamp'];
  for (const c of columns) {
    const t = text(c.sim.item.text, lang, c.sim.item.id);
    cells.push(c.gridStem ? `${c.gridStem} [${t}]` : t);
  }
  return cells.map(googleFormsField).join(',');
}

/** One CSV line (without the line break). `time` is a Date for the Timestamp column. */
export function googleFormsRow(
  columns: readonly FormColumn[],
  answers: ReadonlyMap<string, SimAnswer>,
  time: Date,
  lang = 'en',
): string {
  const cells = [formatTimestamp(time)];
  for (const c of columns) {
    const a = answers.get(c.sim.item.id);
    if (a === null || a === undefined) {
      cells.push('');
    } else if (a === 'NA') {
      cells.push(c.notApplicableLabel ?? 'Not applicable');
    } else if (c.sim.item.type === 'multiple' && typeof a === 'string') {
      const vals = new Set(a.split(';').map(Number));
      cells.push(
        (c.sim.options ?? [])
          .filter((o) => vals.has(o.value))
          .map((o) => text(o.label, lang, String(o.value)))
          .join(', '),
      );
    } else if (typeof a === 'number' && c.sim.options) {
      const o = c.sim.options.find((x) => x.value === a);
      cells.push(o ? text(o.label, lang, String(a)) : String(a));
    } else {
      cells.push(String(a));
    }
  }
  return cells.map(googleFormsField).join(',');
}

/** Google Forms' export style: `2025/03/14 9:41:07 AM GMT+5`. */
export function formatTimestamp(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${h12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'} GMT+5`;
}

/** Timestamps spread over `days` days from `start`, in order. */
export function timestampAt(start: Date, days: number, index: number, n: number, rng: Rng): Date {
  const span = days * 86_400_000;
  return new Date(start.getTime() + Math.floor((span * (index + rng.next())) / Math.max(1, n)));
}
