/**
 * The plan's `categories`: single-choice questions with merged categories and a chosen group order, applied to
 * the analysis only (the stored answers and the study definition are not changed). A question with categories
 * becomes, for every section of the report, a single-choice question whose options are the groups in the order
 * listed (codes 1, 2, …), and its column holds each respondent's group code; a model's reference category (an
 * option value of the question) becomes the group holding it. Answers with another status (skipped, not shown)
 * keep it. resolve.ts has checked that every option value is in exactly one group.
 */
import type { Item, LocalizedText } from '../instrument/schema.js';
import { AnswerStatus, type Column, type Dataset } from '../response/dataset.js';
import type { StudyVariable } from '../study/resolve.js';
import type { Categories, Study } from '../study/schema.js';
import type { AnalysisInput } from './input.js';

/** The group labels: given, or the merged options' labels joined with " / " (per language). */
function groupLabel(
  item: Item,
  g: Categories['groups'][number],
  languages: readonly string[],
): LocalizedText {
  if (g.label) return Object.fromEntries(languages.map((l) => [l, g.label!])) as LocalizedText;
  const labels = g.values.map((v) => item.options?.find((o) => o.value === v)?.label ?? { en: String(v) });
  const langs = new Set(labels.flatMap((l) => Object.keys(l)));
  return Object.fromEntries(
    [...langs].map((l) => [l, labels.map((x) => x[l] ?? Object.values(x)[0] ?? '').join(' / ')]),
  ) as LocalizedText;
}

/** The item with the groups as its options (codes 1…k in the order listed). */
export function recodedItem(item: Item, c: Categories, languages: readonly string[]): Item {
  return {
    ...item,
    options: c.groups.map((g, i) => ({ value: i + 1, label: groupLabel(item, g, languages) })),
  } as Item;
}

/** A numeric column with each answered value replaced by the code of its group. */
function recodeColumn(col: Column, c: Categories): Column {
  if (col.kind !== 'numeric') return col;
  const code = new Map<number, number>();
  c.groups.forEach((g, i) => {
    for (const v of g.values) code.set(v, i + 1);
  });
  const values = new Float64Array(col.values.length);
  const status = new Uint8Array(col.status);
  for (let i = 0; i < values.length; i++) {
    if (col.status[i] !== AnswerStatus.ANSWERED) {
      values[i] = col.values[i]!;
      continue;
    }
    const k = code.get(col.values[i]!);
    if (k === undefined) {
      // not an option value (resolve.ts makes the groups cover every option): count it as invalid, never a group
      values[i] = Number.NaN;
      status[i] = AnswerStatus.INVALID;
    } else values[i] = k;
  }
  return { kind: 'numeric', id: col.id, values, status };
}

/** The analysis input with the plan's categories applied (the same input when there are none). */
export function applyCategories(input: AnalysisInput): AnalysisInput {
  const { resolved, dataset } = input;
  const list = resolved.study.analysis.categories;
  if (list.length === 0) return input;
  const byQuestion = new Map(list.map((c) => [c.question, c]));
  const languages = resolved.study.languages;
  const variables = new Map<string, StudyVariable>(resolved.variables);
  const columns = new Map(dataset.columns);
  for (const c of list) {
    const v = variables.get(c.question);
    if (v?.item.type !== 'single') continue;
    variables.set(c.question, { ...v, item: recodedItem(v.item, c, languages) });
    const col = columns.get(c.question);
    if (col) columns.set(c.question, recodeColumn(col, c));
  }
  const questions = resolved.study.questions.map((q) => {
    const c = byQuestion.get(q.id);
    return c && q.type === 'single' ? (recodedItem(q as Item, c, languages) as typeof q) : q;
  });
  const models = resolved.study.analysis.models.map((m) => {
    const reference = Object.fromEntries(
      Object.entries(m.reference).map(([p, ref]) => {
        const c = byQuestion.get(p);
        const g = c?.groups.findIndex((x) => x.values.includes(ref)) ?? -1;
        return [p, c && g >= 0 ? g + 1 : ref];
      }),
    );
    return { ...m, reference };
  });
  const study: Study = { ...resolved.study, questions, analysis: { ...resolved.study.analysis, models } };
  const out: Dataset = { n: dataset.n, columns };
  return { ...input, resolved: { ...resolved, study, variables }, dataset: out };
}
