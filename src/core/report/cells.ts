/**
 * Short constructors for report cells and formats, so table builders read like the table they make.
 * `num(1.0866, dec(2))` is `{ kind: 'number', value: 1.0866, format: { kind: 'decimal', digits: 2 } }`.
 */
import { isNotComputable, type NotComputable } from '../stats/result.js';
import type { Cell, Column, Format } from './spec.js';

export const TEXT: Format = { kind: 'text' };
export const INTEGER: Format = { kind: 'integer' };
export const DF: Format = { kind: 'df' };

/** `digits` decimals; `leadingZero: false` for quantities bounded by 1 (r, α): ".87". */
export function dec(digits: number, leadingZero = true): Format {
  return leadingZero ? { kind: 'decimal', digits } : { kind: 'decimal', digits, leadingZero: false };
}

/** A proportion 0–1 printed as a percentage with `digits` decimals (default 1). */
export function pct(digits = 1): Format {
  return { kind: 'percent', digits };
}

/** A p-value format; `alpha` keeps rounding from crossing the significance level (default .05). */
export function pval(alpha?: number): Format {
  return alpha === undefined ? { kind: 'pValue' } : { kind: 'pValue', alpha };
}

export function text(t: string): Cell {
  return { kind: 'text', text: t };
}

/** A number cell; without `format` it takes the column's format. */
export function num(value: number, format?: Format): Cell {
  return format ? { kind: 'number', value, format } : { kind: 'number', value };
}

/** count of total: "44.7% (97/217)". */
export function proportion(count: number, total: number, digits?: number): Cell {
  return digits === undefined
    ? { kind: 'proportion', count, total }
    : { kind: 'proportion', count, total, digits };
}

export function interval(lower: number, upper: number, format?: Format): Cell {
  return format ? { kind: 'interval', lower, upper, format } : { kind: 'interval', lower, upper };
}

export function notComputableCell(reason: string): Cell {
  return { kind: 'not_computable', reason };
}

export function suppressed(reason: string): Cell {
  return { kind: 'suppressed', reason };
}

export const EMPTY: Cell = { kind: 'empty' };

/** A number cell, or a "not computable" cell when the statistic is `NotComputable`. */
export function numOr(value: number | NotComputable, format?: Format): Cell {
  return isNotComputable(value) ? notComputableCell(value.reason) : num(value, format);
}

export function col(key: string, label: string, format: Format, align?: Column['align']): Column {
  return align ? { key, label, format, align } : { key, label, format };
}
