/**
 * Resolve a study definition against the instrument library: every reference checked, every problem
 * reported with the thing, the bad value and the fix.
 */

import {
  type Instrument,
  InstrumentSchema,
  type Issue,
  type Item,
  toIssues,
  type Validated,
} from '../instrument/schema.js';
import { applyTextPack } from '../instrument/textPack.js';
import { unknownKeys } from '../instrument/unknownKeys.js';
import { introIssues } from './intros.js';
import { type GridRef, questionItems } from './questions.js';
import { type Study, StudySchema } from './schema.js';

/** One variable of a study: an instrument item, a question, or one row of a grid question. */
export interface StudyVariable {
  readonly item: Item;
  readonly instrument?: Instrument;
  /** For a row of a grid question: the grid and the row (the item is the row's single-choice variable). */
  readonly grid?: GridRef;
}

export interface ResolvedStudy {
  readonly study: Study;
  /** Instruments (library ones with the study's text packs applied, and own ones) in the order the study lists them. */
  readonly instruments: readonly Instrument[];
  /**
   * Every variable a response can hold: instrument items then the study's questions, by id (a grid question
   * is one variable per row, `<question id>_<row id>`; the grid's own id is not a variable).
   */
  readonly variables: ReadonlyMap<string, StudyVariable>;
  /** Ids of all scores (official and study domains) the study computes. */
  readonly scoreIds: ReadonlySet<string>;
}

type InstrumentLookup = (id: string) => Instrument | undefined;

/**
 * The study's instruments as resolved — text packs applied — looked up by id. Everything that reads a
 * study's instruments (import targets, scoring plan, simulation, exports, the studio) goes through this
 * lookup rather than the library's, so the licensed wording a study supplies reaches every path: a
 * library lookup would match MBI-SS or PSS-10 headers against items with no text and find none.
 * Own instruments (`definition`) are in it too, with their packs applied.
 */
export function resolvedLookup(resolved: Pick<ResolvedStudy, 'instruments'>): InstrumentLookup {
  const byId = new Map(resolved.instruments.map((i) => [i.id, i]));
  return (id) => byId.get(id);
}

/**
 * A study that analyses one instrument with its official scoring: a library instrument by id, or an own
 * instrument's definition (already parsed, see `parseOwnInstrument`).
 */
export function studyForInstrument(instrument: string | Instrument): Study {
  const id = typeof instrument === 'string' ? instrument : instrument.id;
  return StudySchema.parse({
    id: `${id}_analysis`,
    title: `Analysis of ${id}`,
    instruments: [
      {
        ...(typeof instrument === 'string' ? { instrument } : { definition: instrument }),
        termsAcknowledged: { by: 'analysis of existing data', at: 'n/a' },
      },
    ],
  });
}

/** Unknown keys in the study's inline instrument definitions (`instruments[i].definition`). */
/** An issue when `id` was already used by an earlier entry (`duplicate_<what>`); notes it as used. */
function seenBefore(seen: Set<string>, id: string, at: string, what: 'model' | 'association'): Issue[] {
  if (!seen.has(id)) {
    seen.add(id);
    return [];
  }
  return [
    { path: `${at}.id`, code: `duplicate_${what}`, message: `${what} id "${id}" is used twice; rename one` },
  ];
}

function ownDefinitionTypos(input: unknown): Issue[] {
  const list = (input as { instruments?: unknown } | null)?.instruments;
  if (!Array.isArray(list)) return [];
  return list.flatMap((si, i) =>
    si !== null && typeof si === 'object' && 'definition' in si
      ? unknownKeys(InstrumentSchema, si.definition, `instruments[${i}].definition`)
      : [],
  );
}

export function resolveStudy(
  input: unknown,
  lookup: InstrumentLookup,
  known: readonly string[],
): Validated<ResolvedStudy> {
  // Own instrument definitions are typed by researchers: a misspelt key is an error, not dropped.
  const typos = ownDefinitionTypos(input);
  const parsed = StudySchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: [...typos, ...toIssues(parsed.error)] };
  const study = parsed.data;
  const issues: Issue[] = [...typos];
  const instruments: Instrument[] = [];
  const variables = new Map<string, StudyVariable>();
  const scoreIds = new Set<string>();

  study.instruments.forEach((si, i) => {
    const library = lookup(si.instrument);
    if (si.definition && library) {
      issues.push({
        path: `instruments[${i}].definition.id`,
        code: 'library_id',
        message: `own instrument id "${si.definition.id}" is the id of the library instrument ${library.shortTitle}; rename your instrument (e.g. "${si.definition.id}_own"), or use the library's with { "instrument": "${si.definition.id}" }`,
      });
      return;
    }
    let ins = si.definition ?? library;
    if (ins) {
      for (const [j, pack] of si.textPacks.entries()) {
        const applied = applyTextPack(ins, pack);
        if (applied.ok) ins = applied.value;
        else
          issues.push(
            ...applied.issues.map((x) => ({
              ...x,
              path: `instruments[${i}].textPacks[${j}]${x.path ? `.${x.path}` : ''}`,
            })),
          );
      }
    }
    if (!ins) {
      issues.push({
        path: `instruments[${i}].instrument`,
        code: 'unknown_instrument',
        message: `"${si.instrument}" is not an instrument in the library; use one of: ${known.join(', ')} (see \`nabz instruments list\`), or define your own instrument with "definition" or "file" (docs/own-instruments.md)`,
      });
      return;
    }
    if (si.version && si.version !== ins.version) {
      issues.push({
        path: `instruments[${i}].version`,
        code: 'version_mismatch',
        message: `study asks for ${ins.id} version "${si.version}" but ${si.definition ? 'its definition' : 'the library'} has "${ins.version}"; update the study's version or remove it`,
      });
    }
    if (ins.licence.requiresAcknowledgement && !si.termsAcknowledged) {
      issues.push({
        path: `instruments[${i}].termsAcknowledged`,
        code: 'terms_not_acknowledged',
        message: `${ins.shortTitle} requires its owner's terms to be acknowledged before use; read them (\`nabz instruments show ${ins.id}\`) and add "termsAcknowledged": { "by": "<your name>", "at": "<date>" }`,
      });
    }
    instruments.push(ins);
    for (const item of ins.items) {
      if (variables.has(item.id)) {
        issues.push({
          path: `instruments[${i}]`,
          code: 'duplicate_variable',
          message: `item "${item.id}" appears twice (is ${ins.id} listed twice?)`,
        });
      }
      variables.set(item.id, { item, instrument: ins });
    }
    const itemIds = new Set(ins.items.map((it) => it.id));
    if (si.officialScores) for (const s of ins.scores) scoreIds.add(s.id);
    si.domains.forEach((d, j) => {
      if (scoreIds.has(d.id)) {
        issues.push({
          path: `instruments[${i}].domains[${j}].id`,
          code: 'duplicate_score',
          message: `domain id "${d.id}" is already used by another score; rename it`,
        });
      }
      scoreIds.add(d.id);
      d.items.forEach((id, k) => {
        if (!itemIds.has(id)) {
          issues.push({
            path: `instruments[${i}].domains[${j}].items[${k}]`,
            code: 'unknown_item',
            message: `domain "${d.id}" uses "${id}", which is not an item of ${ins.id} (its items are ${ins.items[0]?.id} … ${ins.items.at(-1)?.id})`,
          });
        }
      });
    });
  });

  const shortTitles = new Map(instruments.map((ins) => [ins.id, ins.shortTitle]));
  issues.push(...introIssues(study, (id) => shortTitles.get(id) ?? id));

  study.questions.forEach((q, i) => {
    for (const { item, grid } of questionItems(q)) {
      if (variables.has(item.id)) {
        issues.push({
          path: grid ? `questions[${i}].rows[${grid.index}].id` : `questions[${i}].id`,
          code: 'duplicate_variable',
          message: grid
            ? `grid row variable "${item.id}" (question "${q.id}", row "${grid.row.id}") is already used by another question or item; rename the row or the question`
            : `question id "${q.id}" is already used; rename it`,
        });
      }
      variables.set(item.id, grid ? { item, grid } : { item });
    }
  });
  // A grid's own id names no variable, but must not clash with one (pages and headings use it).
  const gridIds = new Set<string>();
  study.questions.forEach((q, i) => {
    if (q.type !== 'grid') return;
    if (gridIds.has(q.id) || variables.has(q.id)) {
      issues.push({
        path: `questions[${i}].id`,
        code: 'duplicate_variable',
        message: `grid question id "${q.id}" is already used by another question or item; rename it`,
      });
    }
    gridIds.add(q.id);
  });

  study.analysis.groupBy.forEach((g, i) => {
    const v = variables.get(g);
    if (!v) {
      issues.push({
        path: `analysis.groupBy[${i}]`,
        code: 'unknown_question',
        message: `group variable "${g}" is not a question of this study`,
      });
    } else if (v.item.type !== 'single') {
      issues.push({
        path: `analysis.groupBy[${i}]`,
        code: 'not_categorical',
        message: `group variable "${g}" must be a single-choice question (it is ${v.item.type})`,
      });
    }
  });
  study.analysis.thresholds.forEach((t, i) => {
    if (!scoreIds.has(t.score)) {
      issues.push({
        path: `analysis.thresholds[${i}].score`,
        code: 'unknown_score',
        message: `threshold refers to score "${t.score}"; the study's scores are ${[...scoreIds].join(', ') || '(none)'}`,
      });
    }
  });

  const recoded = new Set<string>();
  study.analysis.categories.forEach((c, i) => {
    const at = `analysis.categories[${i}]`;
    const v = variables.get(c.question);
    if (v?.item.type !== 'single') {
      issues.push({
        path: `${at}.question`,
        code: v ? 'not_categorical' : 'unknown_question',
        message: v
          ? `categories of "${c.question}": only single-choice questions have categories to merge or order (it is ${v.item.type})`
          : `categories of "${c.question}": there is no such question in this study`,
      });
      return;
    }
    if (recoded.has(c.question))
      issues.push({
        path: `${at}.question`,
        code: 'duplicate',
        message: `categories of "${c.question}" are given twice; keep one entry per question`,
      });
    recoded.add(c.question);
    const options = (v.item.options ?? []).map((o) => o.value);
    const seen = new Map<number, number>();
    c.groups.forEach((g, j) => {
      for (const value of g.values) {
        const before = seen.get(value);
        if (!options.includes(value))
          issues.push({
            path: `${at}.groups[${j}].values`,
            code: 'unknown_option',
            message: `categories of "${c.question}": ${value} is not an option value (the options are ${options.join(', ')})`,
          });
        else if (before !== undefined)
          issues.push({
            path: `${at}.groups[${j}].values`,
            code: 'duplicate',
            message: `categories of "${c.question}": option ${value} is in group ${before + 1} and group ${j + 1}; put it in one`,
          });
        seen.set(value, j);
      }
    });
    const missing = options.filter((o) => !seen.has(o));
    if (missing.length)
      issues.push({
        path: `${at}.groups`,
        code: 'incomplete',
        message: `categories of "${c.question}": option${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} in no group; every answer must belong to one (add a group for ${missing.length > 1 ? 'them' : 'it'})`,
      });
  });

  // combined scores (the maximum of other scores) join the scores models, associations and correlations can use
  const analysisScores = new Set(scoreIds);
  study.analysis.combined.forEach((c, i) => {
    const at = `analysis.combined[${i}]`;
    if (analysisScores.has(c.id) || variables.has(c.id))
      issues.push({
        path: `${at}.id`,
        code: 'duplicate_id',
        message: `combined score "${c.id}": the study already has a ${variables.has(c.id) ? 'question' : 'score'} with this id; choose another`,
      });
    c.max.forEach((id, j) => {
      if (!scoreIds.has(id))
        issues.push({
          path: `${at}.max[${j}]`,
          code: 'unknown_score',
          message: `combined score "${c.id}": "${id}" is not a score of this study; the scores are ${[...scoreIds].join(', ') || '(none)'}`,
        });
    });
    analysisScores.add(c.id);
  });

  const modelIds = new Set<string>();
  study.analysis.models.forEach((m, i) => {
    const at = `analysis.models[${i}]`;
    issues.push(...seenBefore(modelIds, m.id, at, 'model'));
    const scores = [...analysisScores].join(', ') || '(none)';
    const ov = variables.get(m.outcome);
    if (
      !analysisScores.has(m.outcome) &&
      !(ov && (ov.item.type === 'number' || ov.item.type === 'single' || ov.item.type === 'scale'))
    ) {
      issues.push({
        path: `${at}.outcome`,
        code: ov ? 'not_numeric' : 'unknown_outcome',
        message: ov
          ? `model "${m.id}": outcome "${m.outcome}" is a ${ov.item.type} question; use a score (${scores}), a number or a single-choice question`
          : `model "${m.id}": outcome "${m.outcome}" is not a score or question of this study; the scores are ${scores}`,
      });
    }
    m.predictors.forEach((p, j) => {
      const v = variables.get(p);
      if (
        analysisScores.has(p) ||
        (v && (v.item.type === 'number' || v.item.type === 'single' || v.item.type === 'scale'))
      ) {
        const ref = m.reference[p];
        if (ref !== undefined && !(v?.item.type === 'single' && !analysisScores.has(p)))
          issues.push({
            path: `${at}.reference.${p}`,
            code: 'not_categorical',
            message: `model "${m.id}": a reference category applies only to single-choice predictors; "${p}" enters as a number, remove its reference`,
          });
        else if (ref !== undefined && !(v?.item.options ?? []).some((o) => o.value === ref))
          issues.push({
            path: `${at}.reference.${p}`,
            code: 'unknown_option',
            message: `model "${m.id}": reference ${ref} is not an option value of "${p}" (${(v?.item.options ?? []).map((o) => o.value).join(', ')})`,
          });
        return;
      }
      issues.push({
        path: `${at}.predictors[${j}]`,
        code: v ? 'not_numeric' : 'unknown_predictor',
        message: v
          ? `model "${m.id}": predictor "${p}" is a ${v.item.type} question; predictors must be scores, number or single-choice questions`
          : `model "${m.id}": predictor "${p}" is not a score or question of this study; the scores are ${scores}`,
      });
    });
  });

  const scoreList = [...analysisScores].join(', ') || '(none)';
  /** A variable a bivariate test can use: a score, or a number, scale or single-choice question. */
  const checkVariable = (id: string, path: string, what: string, numericOnly: boolean) => {
    const v = variables.get(id);
    if (analysisScores.has(id)) return;
    if (
      v &&
      (v.item.type === 'number' || v.item.type === 'scale' || (!numericOnly && v.item.type === 'single'))
    )
      return;
    issues.push({
      path,
      code: v ? 'not_numeric' : 'unknown_variable',
      message: v
        ? `${what} "${id}" is a ${v.item.type} question; use a score (${scoreList}), a number${numericOnly ? '' : ' or a single-choice'} question`
        : `${what} "${id}" is not a score or question of this study; the scores are ${scoreList}`,
    });
  };
  const associationIds = new Set<string>();
  study.analysis.associations.forEach((a, i) => {
    const at = `analysis.associations[${i}]`;
    issues.push(...seenBefore(associationIds, a.id, at, 'association'));
    checkVariable(a.outcome, `${at}.outcome`, `association "${a.id}": outcome`, false);
    if (
      a.atLeast !== undefined &&
      variables.get(a.outcome)?.item.type === 'single' &&
      !analysisScores.has(a.outcome)
    )
      issues.push({
        path: `${at}.atLeast`,
        code: 'not_numeric',
        message: `association "${a.id}": outcome "${a.outcome}" is a single-choice question, so "atLeast" does not apply; remove it`,
      });
    const seen = new Set<string>();
    a.characteristics.forEach((c, j) => {
      if (c === a.outcome || seen.has(c))
        issues.push({
          path: `${at}.characteristics[${j}]`,
          code: 'duplicate_variable',
          message:
            c === a.outcome
              ? `association "${a.id}": "${c}" is the outcome; it cannot also be a characteristic`
              : `association "${a.id}": characteristic "${c}" is listed twice`,
        });
      seen.add(c);
      checkVariable(c, `${at}.characteristics[${j}]`, `association "${a.id}": characteristic`, false);
    });
  });
  const corr = study.analysis.correlations;
  if (corr) {
    const seen = new Set<string>();
    corr.variables.forEach((id, j) => {
      if (seen.has(id))
        issues.push({
          path: `analysis.correlations.variables[${j}]`,
          code: 'duplicate_variable',
          message: `correlations: "${id}" is listed twice`,
        });
      seen.add(id);
      checkVariable(id, `analysis.correlations.variables[${j}]`, 'correlations: variable', true);
    });
  }

  if (issues.length) return { ok: false, issues };
  return { ok: true, value: { study, instruments, variables, scoreIds } };
}
