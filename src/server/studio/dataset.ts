/**
 * Stored responses → the columnar Dataset the core analyses (see core/response/dataset.ts).
 *
 * Columns follow the study's variables in order (`targetsFromStudy`: instrument items, then the study's own
 * questions). A scale, single-choice or number item is one numeric column; a multiple-choice item becomes one
 * 0/1 column per option, named `<id>__<value>` as the importer names them (`optionColumnId`); text items are
 * text columns. Statuses are kept apart exactly as stored: "not applicable", skipped and not shown are never
 * a number. A variable a response does not mention (e.g. added in a later version of the study) is NOT_SHOWN
 * for that response — it was never asked.
 */
import type { Item } from '../../core/instrument/schema.js';
import type { Answer, Answers } from '../../core/response/answer.js';
import { AnswerStatus, type Column, type Dataset } from '../../core/response/dataset.js';
import { optionColumnId } from '../../core/response/targets.js';
import { studyQuestionItems } from '../../core/study/questions.js';
import type { ResolvedStudy } from '../../core/study/resolve.js';

/** The variables of a study in dataset order: instrument items, then the study's own questions. */
function studyVariables(resolved: ResolvedStudy): Item[] {
  const out: Item[] = [];
  for (const ins of resolved.instruments) out.push(...ins.items);
  out.push(...studyQuestionItems(resolved.study));
  return out;
}

function statusOf(a: Answer | undefined): AnswerStatus {
  if (a === undefined) return AnswerStatus.NOT_SHOWN;
  switch (a.kind) {
    case 'na':
      return AnswerStatus.NOT_APPLICABLE;
    case 'skipped':
      return AnswerStatus.SKIPPED;
    case 'not_shown':
      return AnswerStatus.NOT_SHOWN;
    default:
      return AnswerStatus.ANSWERED;
  }
}

/** A growable numeric column (values + statuses). */
class NumericBuilder {
  values: Float64Array;
  status: Uint8Array;
  n = 0;
  constructor(capacity: number) {
    this.values = new Float64Array(Math.max(16, capacity));
    this.status = new Uint8Array(Math.max(16, capacity));
  }
  push(value: number, status: AnswerStatus): void {
    if (this.n === this.values.length) {
      const v = new Float64Array(this.values.length * 2);
      v.set(this.values);
      this.values = v;
      const s = new Uint8Array(this.status.length * 2);
      s.set(this.status);
      this.status = s;
    }
    this.values[this.n] = status === AnswerStatus.ANSWERED ? value : Number.NaN;
    this.status[this.n] = status;
    this.n++;
  }
  build(id: string): Column {
    return {
      kind: 'numeric',
      id,
      values: this.values.slice(0, this.n),
      status: this.status.slice(0, this.n),
    };
  }
}

type Sink =
  | { kind: 'numeric'; item: Item; b: NumericBuilder; allowed?: ReadonlySet<number> }
  | { kind: 'choices'; item: Item; options: { id: string; value: number; b: NumericBuilder }[] }
  | { kind: 'text'; item: Item; values: (string | null)[] };

/**
 * Build a Dataset from response answers (as the store decodes them). `expected` sizes the columns up front
 * (optional). An answer of the wrong kind for its item (e.g. text for a number item, or a value that is not one
 * of a single-choice item's options) is INVALID.
 */
export async function datasetFromAnswers(
  resolved: ResolvedStudy,
  records: AsyncIterable<Answers> | Iterable<Answers>,
  expected = 0,
): Promise<Dataset> {
  const sinks: Sink[] = studyVariables(resolved).map((item): Sink => {
    if (item.type === 'multiple') {
      return {
        kind: 'choices',
        item,
        options: (item.options ?? []).map((o) => ({
          id: optionColumnId(item.id, o.value),
          value: o.value,
          b: new NumericBuilder(expected),
        })),
      };
    }
    if (item.type === 'text' || item.type === 'longtext') return { kind: 'text', item, values: [] };
    const options =
      item.type === 'single'
        ? item.options
        : item.type === 'scale'
          ? resolved.instruments.flatMap((ins) => ins.scales).find((s) => s.id === item.scale)?.options
          : undefined;
    return {
      kind: 'numeric',
      item,
      b: new NumericBuilder(expected),
      ...(options ? { allowed: new Set(options.map((o) => o.value)) } : {}),
    };
  });

  let n = 0;
  for await (const answers of records) {
    for (const s of sinks) {
      const a = Object.hasOwn(answers, s.item.id) ? answers[s.item.id] : undefined;
      if (s.kind === 'numeric') {
        if (a?.kind === 'value') {
          const ok = s.allowed ? s.allowed.has(a.value) : true;
          s.b.push(a.value, ok ? AnswerStatus.ANSWERED : AnswerStatus.INVALID);
        } else if (a?.kind === 'choices' || a?.kind === 'text') {
          s.b.push(Number.NaN, AnswerStatus.INVALID);
        } else s.b.push(Number.NaN, statusOf(a));
      } else if (s.kind === 'choices') {
        if (a?.kind === 'choices') {
          const chosen = new Set(a.values);
          for (const o of s.options) o.b.push(chosen.has(o.value) ? 1 : 0, AnswerStatus.ANSWERED);
        } else {
          const st = a?.kind === 'value' || a?.kind === 'text' ? AnswerStatus.INVALID : statusOf(a);
          for (const o of s.options) o.b.push(Number.NaN, st);
        }
      } else {
        s.values.push(a?.kind === 'text' ? a.text : null);
      }
    }
    n++;
  }

  const columns = new Map<string, Column>();
  for (const s of sinks) {
    if (s.kind === 'numeric') columns.set(s.item.id, s.b.build(s.item.id));
    else if (s.kind === 'choices') for (const o of s.options) columns.set(o.id, o.b.build(o.id));
    else columns.set(s.item.id, { kind: 'text', id: s.item.id, values: s.values });
  }
  return { n, columns };
}
