/**
 * The plan's `categories`: single-choice questions with merged categories and a chosen group order, applied to
 * the analysis only (the stored answers and the study definition are not changed). A question with categories
 * becomes, for every section of the report, a single-choice question whose options are the groups in the order
 * listed (codes 1, 2, …), and its column holds each respondent's group code; a model's reference category (an
 * option value of the question) becomes the group holding it. Answers with another status (skipped, not shown)
 * keep it. resolve.ts has checked that every option value is in exactly one group.
 */
import type { Item, LocalizedText } from '../instrument/schema.js';
import type { Section } from '../report/spec.js';
import { AnswerStatus, type Column, type Dataset } from '../response/dataset.js';
import { at, atF64 } from '../stats/at.js';
import { shortLabel } from '../study/questions.js';
import type { StudyVariable } from '../study/resolve.js';
import type { Categories, Study } from '../study/schema.js';
import type { AnalysisInput } from './input.js';

/** The group labels: given, or the merged options' labels joined with " / " (per language). */
function groupLabel(
  item: Item,
  g: Categories['groups'][number],
  languages: readonly string[],
): LocalizedText {
  const given = g.label;
  if (given) return Object.fromEntries(languages.map((l) => [l, given])) as LocalizedText;
  const labels = g.values.map((v) => item.options?.find((o) => o.value === v)?.label ?? { en: String(v) });
  const langs = new Set(labels.flatMap((l) => Object.keys(l)));
  return Object.fromEntries(
    [...langs].map((l) => [l, labels.map((x) => x[l] ?? Object.values(x)[0] ?? '').join(' / ')]),
  ) as LocalizedText;
}

/** The item with the groups as its options (codes 1…k in the order listed). */
function recodedItem(item: Item, c: Categories, languages: readonly string[]): Item {
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
    const v = atF64(col.values, i);
    if (col.status[i] !== AnswerStatus.ANSWERED) {
      values[i] = v;
      continue;
    }
    const k = code.get(v);
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

/** A question whose categories the plan merges: its label and each merged group with the options it holds. */
export interface MergedCategories {
  readonly question: string;
  /** The question's short label, as tables print it. */
  readonly label: string;
  /** Groups of two or more options: "Pre-clinical" from ["Year 1", "Year 2"]. */
  readonly merged: readonly { readonly label: string; readonly from: readonly string[] }[];
}

/**
 * The plan's merges (groups of two or more options), read from the study as defined (before `applyCategories`
 * recodes it), in the plan's order. A question whose categories are only reordered is not listed.
 */
export function mergedCategories(input: AnalysisInput): MergedCategories[] {
  const { resolved } = input;
  const lang = resolved.study.languages[0] ?? 'en';
  const out: MergedCategories[] = [];
  for (const c of resolved.study.analysis.categories) {
    const item = resolved.variables.get(c.question)?.item;
    if (item?.type !== 'single') continue;
    const text = (t: LocalizedText | undefined, fallback: string) => t?.[lang] ?? t?.en ?? fallback;
    const merged = c.groups
      .filter((g) => g.values.length > 1)
      .map((g) => ({
        label: text(groupLabel(item, g, resolved.study.languages), ''),
        from: g.values.map((v) => text(item.options?.find((o) => o.value === v)?.label, String(v))),
      }));
    if (merged.length) out.push({ question: c.question, label: shortLabel(item), merged });
  }
  return out;
}

/** 'Year of study: "Year 1" and "Year 2" as "Pre-clinical"; "Year 3" and "Year 4" as "Clinical"'. */
function mergeText(m: MergedCategories): string {
  const q = (x: string) => `"${x}"`;
  const and = (xs: readonly string[]) =>
    xs.length <= 1 ? q(xs[0] ?? '') : `${xs.slice(0, -1).map(q).join(', ')} and ${q(at(xs, xs.length - 1))}`;
  return `${m.label}: ${m.merged.map((g) => `${and(g.from)} as ${q(g.label)}`).join('; ')}`;
}

/** The table note of the merges a table uses. */
function mergeNote(list: readonly MergedCategories[]): string {
  return `Categories merged for the analysis (the answers as collected are unchanged): ${list.map(mergeText).join('. ')}.`;
}

/** The methods paragraph's sentence on the merges, or nothing without any. */
export function mergeMethodsSentence(list: readonly MergedCategories[]): string[] {
  return list.length
    ? [
        `Categories were merged for the analysis (the answers as collected are unchanged): ${list.map(mergeText).join('. ')}.`,
      ]
    : [];
}

/**
 * The question ids a table of the report is built from, as far as merged categories go: the sample table shows
 * every single-choice question; a group comparison (section `by_<g>`) its group variable, and its crosstab
 * `xt_<q>_<g>` also q; an association (`assoc_<id>`, and its post-hoc tables) its outcome and characteristics; a
 * model (`model_<id>` and its fit and classification tables) its outcome and predictors. Other tables (scores,
 * items, thresholds, correlations, reliability) use no single-choice question.
 */
function tableQuestions(input: AnalysisInput, sectionId: string, tableId: string): string[] {
  const plan = input.resolved.study.analysis;
  if (tableId === 'sample') return input.resolved.study.questions.map((q) => q.id);
  if (sectionId.startsWith('by_')) {
    const g = sectionId.slice('by_'.length);
    const suffix = `_${g}`;
    if (tableId.startsWith('xt_') && tableId.endsWith(suffix))
      return [tableId.slice('xt_'.length, -suffix.length), g];
    return [g];
  }
  const a = plan.associations.find((x) => sectionId === `assoc_${x.id}`);
  if (a) {
    const posthoc = a.characteristics.find((c) => tableId === `assoc_${a.id}_${c}_posthoc`);
    return posthoc ? [posthoc, a.outcome] : [a.outcome, ...a.characteristics];
  }
  const m = plan.models.find((x) => sectionId === `model_${x.id}`);
  if (m) return [m.outcome, ...m.predictors];
  return [];
}

/**
 * Every table that uses a question with merged categories gets a note saying which categories were merged (in
 * the order the table's questions come), so no reader takes "Pre-clinical" for an answer option.
 */
export function withMergeNotes(
  sections: readonly Section[],
  input: AnalysisInput,
  list: readonly MergedCategories[],
): Section[] {
  if (list.length === 0) return [...sections];
  const byQuestion = new Map(list.map((m) => [m.question, m]));
  return sections.map((section) => ({
    ...section,
    blocks: section.blocks.map((b) => {
      if (b.type !== 'table') return b;
      const used = [...new Set(tableQuestions(input, section.id, b.id))].flatMap((q) => {
        const m = byQuestion.get(q);
        return m ? [m] : [];
      });
      return used.length ? { ...b, notes: [...b.notes, mergeNote(used)] } : b;
    }),
  }));
}
