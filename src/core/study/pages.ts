/**
 * The respondent flow of a study: consent → eligibility → content pages → review/submit.
 *
 * `buildFlow` turns a resolved study into an ordered list of pages (checked once, e.g. at launch and when a
 * study is loaded); the other functions answer the questions a route asks on every request: which items of a
 * page are visible given the answers so far, which page comes next, "page k of n", whether the respondent is
 * eligible, and which answers skip logic turns into NOT_SHOWN.
 *
 * Skip logic never depends on an answer the respondent has not been asked yet: an item's `showIf` may refer
 * only to items asked before it. When it refers to an item earlier on the *same* page, the page is split
 * there (the dependent item starts a continuation page), so a page's visible items are always known when the
 * page is rendered — the flow works without JavaScript and the server checks exactly what the respondent saw.
 */
import {
  type CompiledExpression,
  compileExpression,
  expressionRefs,
  type Lookup,
  parseExpression,
  truth,
} from '../instrument/expression.js';
import type {
  Instrument,
  Issue,
  Item,
  LocalizedText,
  ResponseScale,
  Validated,
} from '../instrument/schema.js';
import type { Answer, Answers } from '../response/submission.js';
import { at, mapAt } from '../stats/at.js';
import { type GridRef, questionItems } from './questions.js';
import type { ResolvedStudy } from './resolve.js';

/** One question as the flow asks it. */
export interface FlowItem {
  readonly id: string;
  readonly item: Item;
  /** The library instrument the item belongs to; absent for the study's own questions and screening questions. */
  readonly instrument?: Instrument;
  /** Response scale of a `scale` item. */
  readonly scale?: ResponseScale;
  /** Display number: the item's 1-based position in its instrument; absent for the study's own questions. */
  readonly number?: number;
  /** An eligibility (screening) question: its answers are never stored for screened-out respondents. */
  readonly screening: boolean;
  /**
   * For a row of a grid question: the grid and the row. Consecutive flow items of one grid on a page are its
   * rows in order; a renderer may show them as one grid.
   */
  readonly grid?: GridRef;
  /** Compiled `showIf`; absent when the item is always shown. */
  readonly showIf?: CompiledExpression;
}

type FlowPageKind = 'consent' | 'eligibility' | 'content';

export interface FlowPage {
  /** Stable within a study version: "consent", "e1", "e2", … for screening, "p1", "p2", … for content. */
  readonly id: string;
  readonly kind: FlowPageKind;
  /** Page heading; absent for consent (the renderer uses its own). */
  readonly title?: LocalizedText;
  /** The study's intro text, shown under the title (a page split by skip logic shows it on each part). */
  readonly intro?: LocalizedText;
  /** Items in asking order (empty for consent). */
  readonly items: readonly FlowItem[];
}

export interface Flow {
  readonly pages: readonly FlowPage[];
  /** Every answerable item (screening questions, then content items) in asking order. */
  readonly items: ReadonlyMap<string, FlowItem>;
  /** Compiled `collection.eligibility.eligibleIf`; absent when the study has no screening. */
  readonly eligibleIf?: CompiledExpression;
  /** Version of the consent text, when the study asks for consent. */
  readonly consentVersion?: number;
  /** The study's intro per instrument id (`instruments[i].intro`), shown before the instrument's items. */
  readonly instrumentIntros: ReadonlyMap<string, LocalizedText>;
}

/** What comes after a page. */
export type Step =
  | { readonly kind: 'page'; readonly page: FlowPage }
  | { readonly kind: 'review' }
  | { readonly kind: 'ineligible' };

const INSTRUMENT_REF = /^instrument:([A-Za-z][A-Za-z0-9_]{0,63})$/;
/** A reference to one option of a multiple-choice item, as in the dataset: `<id>__<value>`. */
const OPTION_REF = /^([A-Za-z][A-Za-z0-9_]*?)__(-?\d+(?:\.\d+)?)$/;

interface Draft {
  kind: FlowPageKind;
  title?: LocalizedText;
  intro?: LocalizedText;
  items: FlowItem[];
}

/**
 * Build and check the flow of a study.
 *
 * Default paging (no `collection.pages`): one page for the study's own questions (titled by their section
 * when exactly one section covers them), then one page per instrument (titled by the instrument). With
 * `collection.pages`, each entry lists question ids, instrument item ids or `instrument:<id>`; every
 * question and instrument item must appear on exactly one page.
 *
 * Issues (never throws): unknown or duplicate page entries, items on no page, screening question ids that
 * clash with study variables, `scale` questions without a scale, `showIf`/`eligibleIf` that do not parse,
 * refer to unknown items, to scores, to the item itself or to an item asked later.
 */
export function buildFlow(resolved: ResolvedStudy): Validated<Flow> {
  const { study } = resolved;
  const col = study.collection;
  const issues: Issue[] = [];
  const drafts: Draft[] = [];

  const flowItem = (
    item: Item,
    instrument: Instrument | undefined,
    screening: boolean,
    path: string,
  ): FlowItem => {
    let scale: ResponseScale | undefined;
    if (item.type === 'scale') {
      scale = instrument?.scales.find((s) => s.id === item.scale);
      if (!scale) {
        issues.push({
          path,
          code: 'no_scale',
          message: instrument
            ? `item "${item.id}" refers to scale "${item.scale ?? ''}", which ${instrument.id} does not define`
            : `question "${item.id}" has type "scale" (the default), but a study's own questions have no response scales; give it type "single" with options`,
        });
      }
    }
    const index = instrument ? instrument.items.findIndex((it) => it.id === item.id) : -1;
    return {
      id: item.id,
      item,
      ...(instrument ? { instrument } : {}),
      ...(scale ? { scale } : {}),
      ...(index >= 0 ? { number: index + 1 } : {}),
      screening,
    };
  };

  if (col.consent) drafts.push({ kind: 'consent', items: [] });

  // Screening questions.
  if (col.eligibility) {
    const items = col.eligibility.questions.map((q, i) => {
      if (resolved.variables.has(q.id)) {
        issues.push({
          path: `collection.eligibility.questions[${i}].id`,
          code: 'duplicate_variable',
          message: `screening question id "${q.id}" is already used by a question or instrument item; rename it`,
        });
      }
      return flowItem(q, undefined, true, `collection.eligibility.questions[${i}].type`);
    });
    drafts.push({ kind: 'eligibility', items });
  }

  // Content pages.
  const instrumentOf = (id: string): Instrument | undefined => resolved.variables.get(id)?.instrument;
  const itemFlow = (id: string, path: string): FlowItem => {
    const v = mapAt(resolved.variables, id);
    const fi = flowItem(v.item, v.instrument, false, path);
    return v.grid ? { ...fi, grid: v.grid } : fi;
  };
  /** A page reference to a grid question: its row variables, in order. */
  const gridRows = (ref: string): string[] | undefined => {
    const q = study.questions.find((x) => x.type === 'grid' && x.id === ref);
    return q
      ? [...resolved.variables.values()].filter((v) => v.grid?.question === q).map((v) => v.item.id)
      : undefined;
  };
  if (col.pages.length > 0) {
    const placed = new Map<string, string>();
    col.pages.forEach((p, i) => {
      const items: FlowItem[] = [];
      p.items.forEach((ref, j) => {
        const path = `collection.pages[${i}].items[${j}]`;
        const m = INSTRUMENT_REF.exec(ref);
        let ids: string[];
        if (m) {
          const ins = resolved.instruments.find((x) => x.id === m[1]);
          if (!ins) {
            issues.push({
              path,
              code: 'unknown_instrument',
              message: `"${ref}" names an instrument the study does not use; the study's instruments are ${resolved.instruments.map((x) => x.id).join(', ') || '(none)'}`,
            });
            return;
          }
          ids = ins.items.map((it) => it.id);
        } else if (resolved.variables.has(ref)) {
          ids = [ref];
        } else {
          const rows = gridRows(ref);
          if (!rows) {
            issues.push({
              path,
              code: 'unknown_item',
              message: `"${ref}" is not a question or instrument item of this study; use a question id, an item id or instrument:<id>`,
            });
            return;
          }
          ids = rows;
        }
        for (const id of ids) {
          const before = placed.get(id);
          if (before !== undefined) {
            issues.push({
              path,
              code: 'duplicate_item',
              message: `item "${id}" is already placed at ${before}; list each item on one page only`,
            });
            continue;
          }
          placed.set(id, path);
          items.push(itemFlow(id, path));
        }
      });
      drafts.push({
        kind: 'content',
        ...(p.title ? { title: p.title } : {}),
        ...(p.intro ? { intro: p.intro } : {}),
        items,
      });
    });
    for (const id of resolved.variables.keys()) {
      if (!placed.has(id)) {
        const ins = instrumentOf(id);
        issues.push({
          path: 'collection.pages',
          code: 'item_not_placed',
          message: `item "${id}"${ins ? ` of ${ins.id}` : ''} is on no page; add it (or ${ins ? `instrument:${ins.id}` : 'its id'}) to a page`,
        });
      }
    }
  } else {
    let questionsPage: Draft | undefined;
    if (study.questions.length > 0) {
      const ids = new Set(study.questions.map((q) => q.id));
      const covering = study.sections.filter((s) => s.items.some((id) => ids.has(id)));
      const only = covering.length === 1 ? covering[0] : undefined;
      const title = only && study.questions.every((q) => only.items.includes(q.id)) ? only.title : undefined;
      questionsPage = {
        kind: 'content',
        ...(title ? { title } : {}),
        ...(col.questionsIntro ? { intro: col.questionsIntro } : {}),
        items: study.questions.flatMap((q, i) =>
          questionItems(q).map(({ item }) => itemFlow(item.id, `questions[${i}].type`)),
        ),
      };
    }
    if (questionsPage && col.questionsPlacement === 'before') drafts.push(questionsPage);
    resolved.instruments.forEach((ins, i) => {
      drafts.push({
        kind: 'content',
        title: ins.title,
        items: ins.items.map((it) => itemFlow(it.id, `instruments[${i}]`)),
      });
    });
    if (questionsPage && col.questionsPlacement === 'after') drafts.push(questionsPage);
  }

  // Skip logic: compile showIf, check references, split pages where an item depends on an earlier item of its page.
  const asked = new Set<string>();
  const known = new Set<string>([
    ...resolved.variables.keys(),
    ...(col.eligibility?.questions.map((q) => q.id) ?? []),
  ]);
  const allItems = new Map<string, FlowItem>();
  const pages: FlowPage[] = [];
  let eCount = 0;
  let pCount = 0;
  const nextId = (kind: FlowPageKind): string =>
    kind === 'consent' ? 'consent' : kind === 'eligibility' ? `e${++eCount}` : `p${++pCount}`;

  for (const d of drafts) {
    if (d.kind === 'consent') {
      pages.push({ id: nextId('consent'), kind: 'consent', items: [] });
      continue;
    }
    let current: FlowItem[] = [];
    const onPage = new Set<string>();
    const flush = (): void => {
      if (current.length === 0) return;
      pages.push({
        id: nextId(d.kind),
        kind: d.kind,
        ...(d.title ? { title: d.title } : {}),
        ...(d.intro ? { intro: d.intro } : {}),
        items: current,
      });
      current = [];
      onPage.clear();
    };
    for (const fi of d.items) {
      let out = fi;
      if (fi.item.showIf !== undefined) {
        const where = `showIf of "${fi.id}"`;
        const r = checkRefs(fi.item.showIf, fi.id, where, asked, known, issues);
        if (r) {
          if (r.ids.some((id) => onPage.has(id))) flush();
          out = { ...fi, showIf: r.compiled };
        }
      }
      current.push(out);
      onPage.add(fi.id);
      asked.add(fi.id);
      allItems.set(fi.id, out);
    }
    flush();
  }

  let eligibleIf: CompiledExpression | undefined;
  if (col.eligibility) {
    const r = checkRefs(
      col.eligibility.eligibleIf,
      undefined,
      'eligibleIf',
      new Set(col.eligibility.questions.map((q) => q.id)),
      known,
      issues,
    );
    if (r) eligibleIf = r.compiled;
  }

  const instrumentIntros = new Map<string, LocalizedText>();
  for (const si of study.instruments) if (si.intro) instrumentIntros.set(si.instrument, si.intro);

  if (issues.length) return { ok: false, issues };
  return {
    ok: true,
    value: {
      pages,
      items: allItems,
      instrumentIntros,
      ...(eligibleIf ? { eligibleIf } : {}),
      ...(col.consent ? { consentVersion: col.consent.version } : {}),
    },
  };
}

/** Base item id of a reference (`x__2` → `x` when `x` is known), or the id itself. */
function baseRef(id: string, known: ReadonlySet<string>): string {
  if (known.has(id)) return id;
  const base = OPTION_REF.exec(id)?.[1];
  return base !== undefined && known.has(base) ? base : id;
}

function checkRefs(
  source: string,
  self: string | undefined,
  where: string,
  asked: ReadonlySet<string>,
  known: ReadonlySet<string>,
  issues: Issue[],
): { ids: string[]; compiled: CompiledExpression } | undefined {
  const path = self ? `items.${self}.showIf` : 'collection.eligibility.eligibleIf';
  const p = parseExpression(source);
  if (!p.ok) {
    issues.push({ path, code: 'expression_syntax', message: `${where}: ${p.error.message}` });
    return undefined;
  }
  let bad = false;
  const ids: string[] = [];
  for (const ref of expressionRefs(p.value)) {
    if (ref.scope !== 'item') {
      issues.push({
        path,
        code: 'score_in_skip_logic',
        message:
          ref.scope === 'score'
            ? `${where} uses score.${ref.id}; scores are computed after submission, so skip logic can use item answers only`
            : `${where} uses band.${ref.id}; bands are computed after submission, so skip logic and screening can use item answers only (a follow-up's "followUp.eligibleIf" can use them)`,
      });
      bad = true;
      continue;
    }
    const id = baseRef(ref.id, known);
    if (id === self) {
      issues.push({ path, code: 'self_reference', message: `${where} refers to "${self}" itself` });
      bad = true;
    } else if (!known.has(id)) {
      issues.push({
        path,
        code: 'unknown_item',
        message: `${where} refers to "${ref.id}", which is not a question of this study`,
      });
      bad = true;
    } else if (!asked.has(id)) {
      issues.push({
        path,
        code: 'forward_reference',
        message: `${where} refers to "${id}", which is asked later; skip logic may use only answers given before the item`,
      });
      bad = true;
    }
    ids.push(id);
  }
  if (bad) return undefined;
  return { ids, compiled: compileExpression(p.value) };
}

/**
 * A lookup for expressions over answers: answered numbers and text give their value; "not applicable",
 * skipped, not shown and absent answers are unknown (null). A multiple-choice item gives the number of options
 * chosen, and `<id>__<value>` gives 1 when that option was chosen and 0 when not.
 */
export function answerLookup(answers: Answers): Lookup {
  return (scope, id) => {
    if (scope !== 'item') return null;
    const a: Answer | undefined = answers[id];
    if (a) {
      if (a.kind === 'value') return a.value;
      if (a.kind === 'text') return a.text;
      if (a.kind === 'choices') return a.values.length;
      return null;
    }
    const m = OPTION_REF.exec(id);
    const baseId = m?.[1];
    if (m && baseId !== undefined) {
      const base = answers[baseId];
      if (base?.kind === 'choices') return base.values.includes(Number(m[2])) ? 1 : 0;
    }
    return null;
  };
}

/** Whether an item is shown given the answers so far (its `showIf` is definitely true, or it has none). */
export function isVisible(fi: FlowItem, answers: Answers, lookup: Lookup = answerLookup(answers)): boolean {
  return !fi.showIf || truth(fi.showIf(lookup)) === true;
}

/** The items of a page the respondent sees, given the answers so far. */
export function visibleItems(page: FlowPage, answers: Answers): FlowItem[] {
  const lookup = answerLookup(answers);
  return page.items.filter((fi) => isVisible(fi, answers, lookup));
}

/** Whether a page is shown: consent always; other pages when at least one of their items is visible. */
export function isPageShown(page: FlowPage, answers: Answers): boolean {
  if (page.kind === 'consent') return true;
  const lookup = answerLookup(answers);
  return page.items.some((fi) => isVisible(fi, answers, lookup));
}

/** The pages shown given the answers so far, in order. */
export function shownPages(flow: Flow, answers: Answers): FlowPage[] {
  return flow.pages.filter((p) => isPageShown(p, answers));
}

/** A page by id. */
export function findPage(flow: Flow, id: string): FlowPage | undefined {
  return flow.pages.find((p) => p.id === id);
}

/** Whether the screening answers meet `eligibleIf` (always true without screening; unknown counts as not eligible). */
export function isEligible(flow: Flow, answers: Answers): boolean {
  return !flow.eligibleIf || truth(flow.eligibleIf(answerLookup(answers))) === true;
}

/** The first step of the flow. */
export function firstStep(flow: Flow, answers: Answers = {}): Step {
  return nextStep(flow, null, answers);
}

/**
 * The step after page `fromId` (null: the start): the next shown page, "ineligible" when the last screening
 * page has just been left and `eligibleIf` is not met, or "review" after the last page. An unknown `fromId`
 * is treated as the start.
 */
export function nextStep(flow: Flow, fromId: string | null, answers: Answers): Step {
  const from = fromId === null ? -1 : flow.pages.findIndex((p) => p.id === fromId);
  const fromPage = from >= 0 ? flow.pages[from] : undefined;
  for (let i = from + 1; i < flow.pages.length; i++) {
    const p = at(flow.pages, i);
    if (fromPage?.kind === 'eligibility' && p.kind !== 'eligibility' && !isEligible(flow, answers))
      return { kind: 'ineligible' };
    if (isPageShown(p, answers)) return { kind: 'page', page: p };
  }
  if (fromPage?.kind === 'eligibility' && !isEligible(flow, answers)) return { kind: 'ineligible' };
  return { kind: 'review' };
}

/** The shown page before `fromId` ("review": the last shown page), or null at the start. */
export function previousPage(flow: Flow, fromId: string, answers: Answers): FlowPage | null {
  const from = fromId === 'review' ? flow.pages.length : flow.pages.findIndex((p) => p.id === fromId);
  for (let i = from - 1; i >= 0; i--) {
    const p = at(flow.pages, i);
    if (isPageShown(p, answers)) return p;
  }
  return null;
}

/** Progress indicator data: "page `current` of `total`" (see {@link progress} for the rule). */
export interface Progress {
  readonly current: number;
  readonly total: number;
}

/**
 * Progress for a page id or "review" — a count a respondent can trust (issue 14): "of N" never changes during
 * a response and a page's number never moves. N counts every page that could be shown (consent, screening,
 * every content page, a continuation page that a conditional item starts) plus the review page, and a page's
 * number is its place in that list. A page the answers skip is skipped in the numbering too ("Page 2 of 6",
 * then "Page 4 of 6"): an answer that shows a follow-up question or page never makes "of 5" jump to "of 6",
 * the count only ever runs ahead, and the `<progress>` bar (max N, value the page's number) agrees. The answers
 * do not enter: the same page has the same number whatever was answered, also after Back.
 */
export function progress(flow: Flow, pageId: string): Progress {
  const total = flow.pages.length + 1;
  if (pageId === 'review') return { current: total, total };
  const position = flow.pages.findIndex((p) => p.id === pageId);
  return { current: position >= 0 ? position + 1 : 1, total };
}

/**
 * Where a resumed respondent continues: the first shown non-consent page with a visible item that has no
 * answer yet (not even "skipped"), or "review" when every shown page has been answered.
 */
export function resumeStep(flow: Flow, answers: Answers): Step {
  const lookup = answerLookup(answers);
  const screenedOut = flow.pages.some((q) => q.kind === 'eligibility') && !isEligible(flow, answers);
  for (const p of flow.pages) {
    if (p.kind === 'consent') continue;
    if (p.kind !== 'eligibility' && screenedOut) return { kind: 'ineligible' };
    if (p.items.some((fi) => isVisible(fi, answers, lookup) && answers[fi.id] === undefined))
      return { kind: 'page', page: p };
  }
  return { kind: 'review' };
}

/**
 * Apply skip logic to answers in asking order: every hidden item becomes NOT_SHOWN (dropping an answer given
 * before the respondent went back and changed an earlier answer); visible items keep their answers; items
 * not yet asked stay absent. Call it after merging each page's answers, and before storing.
 */
export function applySkipLogic(flow: Flow, answers: Answers): Record<string, Answer> {
  const out: Record<string, Answer> = { ...answers };
  const lookup = answerLookup(out);
  for (const fi of flow.items.values()) {
    if (!isVisible(fi, out, lookup)) out[fi.id] = NOT_SHOWN;
    else if (out[fi.id]?.kind === 'not_shown') delete out[fi.id];
  }
  return out;
}

const NOT_SHOWN: Answer = { kind: 'not_shown' };
