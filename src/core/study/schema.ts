/**
 * A study definition: which instruments (from the library, by id), the study's own domains over their
 * items, its own questions (demographics, custom questionnaires), and the analysis plan.
 *
 * The collection side (consent, eligibility, languages, support contacts) extends this schema; the
 * analysis side needs only what is here.
 */
import { z } from 'zod';
import {
  IdSchema,
  InstrumentSchema,
  ItemSchema,
  ItemTypeSchema,
  LanguageSchema,
  LocalizedTextSchema,
  ScoreSchema,
  ShortLabelSchema,
  TextPackSchema,
} from '../instrument/schema.js';
import { toIssues, type Validated } from '../issue.js';

/** Question types of a study's own questions: the item types plus `grid`. */
const QuestionTypeSchema = z.enum([...ItemTypeSchema.options, 'grid']);
export type QuestionType = z.infer<typeof QuestionTypeSchema>;

/** One row (statement) of a grid question. */
const GridRowSchema = z.object({
  /** Row id; the row's variable is `<question id>_<row id>` (see `gridRowId`). */
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_]{0,62}$/, 'must use only letters, digits and _ (max 63), e.g. "exams"'),
  text: LocalizedTextSchema,
  short: ShortLabelSchema.optional(),
});
export type GridRow = z.infer<typeof GridRowSchema>;

/** Variable name of a grid row: `<question id>_<row id>` (e.g. `stress_exams`). */
export function gridRowId(questionId: string, rowId: string): string {
  return `${questionId}_${rowId}`;
}

/**
 * A study's own question: an item (single, multiple, number, text, longtext) or a `grid` (matrix) — statements
 * (`rows`) sharing one response scale (`options`, in order from lowest to highest value). Each row is answered
 * like a single-choice item and is its own variable `<question id>_<row id>`.
 */
const QuestionSchema = ItemSchema.extend({
  type: QuestionTypeSchema.default('scale'),
  /** For `grid` questions: the statements, each answered on the shared `options`. */
  rows: z.array(GridRowSchema).min(1).optional(),
  /**
   * For `grid` questions: the option values that count as agreeing (default: the top two values of a scale
   * with 4 or more options, the top value of a shorter one). Shown by name in the report.
   */
  agreeing: z.array(z.number().finite()).min(1).optional(),
}).superRefine((q, ctx) => {
  if (q.type === 'grid') {
    if (!q.rows)
      ctx.addIssue({
        code: 'custom',
        path: ['rows'],
        message: `grid question "${q.id}" needs rows (its statements), e.g. "rows": [{ "id": "exams", "text": { "en": "Exams" } }]`,
      });
    if (!q.options || q.options.length < 2)
      ctx.addIssue({
        code: 'custom',
        path: ['options'],
        message: `grid question "${q.id}" needs at least two options (its shared response scale)`,
      });
    const seen = new Set<string>();
    (q.rows ?? []).forEach((r, i) => {
      if (seen.has(r.id.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: ['rows', i, 'id'],
          message: `grid question "${q.id}": row id "${r.id}" is used twice`,
        });
      seen.add(r.id.toLowerCase());
      const v = gridRowId(q.id, r.id);
      if (!IdSchema.safeParse(v).success)
        ctx.addIssue({
          code: 'custom',
          path: ['rows', i, 'id'],
          message: `grid question "${q.id}": the row variable "${v}" is longer than 64 characters; shorten the question or row id`,
        });
    });
    const values = new Set((q.options ?? []).map((o) => o.value));
    (q.agreeing ?? []).forEach((v, i) => {
      if (!values.has(v))
        ctx.addIssue({
          code: 'custom',
          path: ['agreeing', i],
          message: `grid question "${q.id}": agreeing value ${v} is not one of its option values (${[...values].join(', ')})`,
        });
    });
  } else {
    if (q.rows)
      ctx.addIssue({
        code: 'custom',
        path: ['rows'],
        message: `question "${q.id}" has rows but type "${q.type}"; rows belong to type "grid"`,
      });
    if (q.agreeing)
      ctx.addIssue({
        code: 'custom',
        path: ['agreeing'],
        message: `question "${q.id}" has "agreeing" but type "${q.type}"; it belongs to type "grid"`,
      });
  }
});
export type Question = z.infer<typeof QuestionSchema>;
export type QuestionInput = z.input<typeof QuestionSchema>;

/** The longest intro text per language, in characters: a few short paragraphs above questions on a phone. */
export const INTRO_MAX_LENGTH = 2000;

/**
 * A researcher's intro text shown to respondents (issue 14): above a page's questions, or before an instrument's
 * items (before the instrument's own instructions), e.g. "The next questions are about your last month on the
 * wards". Plain text per language, no HTML (escaped when shown); a blank line starts a new paragraph. Every
 * language of the study needs it (checked with the study by `introIssues`, core/study/intros.ts).
 */
const IntroTextSchema = z
  .record(
    LanguageSchema,
    z
      .string()
      .min(1)
      .max(
        INTRO_MAX_LENGTH,
        `an intro may have at most ${INTRO_MAX_LENGTH} characters per language (a few short paragraphs); shorten it`,
      )
      .refine((t) => t.trim() !== '', 'an intro must not be only spaces; write it or leave it out'),
  )
  .refine((t) => Object.keys(t).length > 0, 'needs text in at least one language');

const StudyInstrumentSchema = z
  .object({
    /**
     * Library instrument id, e.g. "bace3", "phq9". With `definition`, the id of that definition (optional;
     * when given it must equal `definition.id`).
     */
    instrument: IdSchema.optional(),
    /**
     * An own instrument, defined inline (schemas/instrument.schema.json): a scored questionnaire that is not in
     * the library. Its id must not be a library id.
     */
    definition: InstrumentSchema.optional(),
    /**
     * An own instrument in a JSON file, relative to the study file. Only study files read by the `nabz`
     * command may use it: the command reads the file and puts its content in `definition`.
     */
    file: z.string().min(1).optional(),
    /** Expected library version; a mismatch is reported, not silently accepted. */
    version: z.string().optional(),
    /**
     * The study's own domains over the instrument's items, beside the official scores, e.g. the three
     * 10-item BACE domains of a published study. Always `official: false`; reports name them as such.
     */
    domains: z.array(ScoreSchema).default([]),
    /** Whether to compute the instrument's official scores too (default true). */
    officialScores: z.boolean().default(true),
    /**
     * Item text supplied by the study's licensed user, one pack per language, for instruments whose text does
     * not ship with nabz (MBI-SS, PSS-10); applied when the study is resolved (see docs/instruments.md).
     */
    textPacks: z.array(TextPackSchema).default([]),
    /** Recorded acknowledgement of the owner's terms, required by instruments whose licence asks for it. */
    termsAcknowledged: z.object({ by: z.string().min(1), at: z.string().min(1) }).optional(),
    /** The study's own intro, shown before the instrument's items and its own instructions (in every study language). */
    intro: IntroTextSchema.optional(),
  })
  .superRefine((si, ctx) => {
    if (si.file !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['file'],
        message: `instrument files ("${si.file}") are read by the nabz command (nabz analyze/score/simulate --study); elsewhere put the instrument inline as "definition"`,
      });
    } else if (si.instrument === undefined && si.definition === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          'give "instrument" (a library id, see `nabz instruments list`), "definition" (an own instrument, inline) or "file" (an own instrument file, relative to the study file)',
      });
    } else if (si.definition && si.instrument !== undefined && si.instrument !== si.definition.id) {
      ctx.addIssue({
        code: 'custom',
        path: ['instrument'],
        message: `"instrument" is "${si.instrument}" but the definition's id is "${si.definition.id}"; make them equal or leave out "instrument"`,
      });
    }
  })
  .transform(({ file: _, ...si }) => ({ ...si, instrument: draftInstrumentId(si) }));

/** A study instrument's id as written: `instrument`, else its inline definition's id ('' when neither). */
export function draftInstrumentId(si: {
  readonly instrument?: string | undefined;
  readonly definition?: { readonly id?: unknown } | undefined;
}): string {
  const own = si.definition?.id;
  return si.instrument ?? (typeof own === 'string' ? own : '');
}

const ThresholdSchema = z.object({
  /** A score or domain id. */
  score: IdSchema,
  /** A respondent is counted when score ≥ atLeast. */
  atLeast: z.number().finite(),
  label: z.string().optional(),
});
export type Threshold = z.infer<typeof ThresholdSchema>;

/**
 * A regression model of the analysis plan ("Table 4"): a linear model of a score or number question, or a logistic
 * model of "outcome ≥ atLeast". Predictors are scores, number questions (entered as numbers) and single-choice
 * questions (dummy coded, the first option the reference unless `reference` names another option value).
 * Ids are checked against the study when it is resolved.
 */
const ModelSchema = z
  .object({
    /** Model id: names its report section and tables (`model_<id>`). */
    id: IdSchema,
    type: z.enum(['linear', 'logistic']),
    /** Heading of the model's table; default derived from the outcome and the predictors. */
    title: z.string().min(1).optional(),
    /** A score, domain or question id. */
    outcome: IdSchema,
    /** Logistic models: the event is outcome ≥ atLeast (e.g. a PHQ-9 total of at least 10). */
    atLeast: z.number().finite().optional(),
    /** Score, number-question and single-choice-question ids. */
    predictors: z.array(IdSchema).min(1),
    /** Reference category (an option value) per single-choice predictor, e.g. { "gender": 2 }. */
    reference: z.record(IdSchema, z.number().finite()).default({}),
  })
  .superRefine((m, ctx) => {
    if (m.type === 'linear' && m.atLeast !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['atLeast'],
        message: `model "${m.id}" is linear, so "atLeast" does not apply; remove it or make the model "logistic"`,
      });
    if (m.type === 'logistic' && m.atLeast === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['atLeast'],
        message: `logistic model "${m.id}" needs "atLeast": the event is ${m.outcome} ≥ atLeast (e.g. "atLeast": 10)`,
      });
    const seen = new Set<string>();
    m.predictors.forEach((p, i) => {
      if (p === m.outcome)
        ctx.addIssue({
          code: 'custom',
          path: ['predictors', i],
          message: `model "${m.id}": "${p}" is the outcome; it cannot also be a predictor`,
        });
      if (seen.has(p))
        ctx.addIssue({
          code: 'custom',
          path: ['predictors', i],
          message: `model "${m.id}": predictor "${p}" is listed twice`,
        });
      seen.add(p);
    });
    for (const r of Object.keys(m.reference)) {
      if (!m.predictors.includes(r))
        ctx.addIssue({
          code: 'custom',
          path: ['reference', r],
          message: `model "${m.id}": reference names "${r}", which is not one of its predictors (${m.predictors.join(', ')})`,
        });
    }
  });
export type Model = z.infer<typeof ModelSchema>;

/**
 * Bivariate associations of characteristics with one outcome ("Table 3" of a "factors associated" paper). The test
 * follows the variables' types: two categorical variables → Pearson's chi-square, or Fisher's exact test when an
 * expected count is below 5; a numeric variable by two groups → the plan's t test (or Mann–Whitney with
 * `numeric: "nonparametric"`); by more groups → the plan's ANOVA with Tukey HSD / Games–Howell post-hoc tests (or
 * Kruskal–Wallis); two numeric variables → Pearson (or Spearman). `atLeast` makes a score or number outcome binary.
 */
export const AssociationSchema = z.object({
  /** Names the report section and table (`assoc_<id>`). */
  id: IdSchema,
  /** A score, domain, number question or single-choice question. */
  outcome: IdSchema,
  /** The outcome as "outcome ≥ atLeast" (yes/no), e.g. a PHQ-9 total of at least 10. */
  atLeast: z.number().finite().optional(),
  /** Single-choice questions, number questions and scores. */
  characteristics: z.array(IdSchema).min(1),
  /** Tests of numeric variables: t test / ANOVA / Pearson, or Mann–Whitney / Kruskal–Wallis / Spearman. */
  numeric: z.enum(['parametric', 'nonparametric']).default('parametric'),
  title: z.string().min(1).optional(),
});
export type Association = z.infer<typeof AssociationSchema>;

/** A correlation matrix of scores (and number questions), with n and p per pair. */
export const CorrelationsSchema = z.object({
  variables: z.array(IdSchema).min(2),
  method: z.enum(['pearson', 'spearman']).default('pearson'),
  /** 'pairwise' (each pair's complete cases, SPSS default) or 'listwise'. */
  missing: z.enum(['pairwise', 'listwise']).default('pairwise'),
});
export type Correlations = z.infer<typeof CorrelationsSchema>;

/**
 * The sample-size calculation of the protocol, printed in the methods section: Cochran's n₀ = z² p (1 − p) / d² for
 * an expected proportion p within ±margin at the confidence level, with the finite population correction when the
 * population is given.
 */
export const SampleSizeSchema = z.object({
  /** Expected proportion, e.g. 0.3 (0.5 when unknown: the largest n). */
  proportion: z.number().min(0).max(1),
  /** Margin of error, e.g. 0.05 for ±5 percentage points. */
  margin: z.number().gt(0).lt(1),
  confidence: z.number().gt(0).lt(1).default(0.95),
  /** Size of the population sampled, for the finite population correction. */
  population: z.number().int().positive().optional(),
  /** Where the expected proportion comes from, e.g. "Mekonnen et al. 2021". */
  source: z.string().min(1).optional(),
});
export type SampleSize = z.infer<typeof SampleSizeSchema>;

/**
 * Categories of a single-choice question as the analysis uses them, without touching the stored answers: each
 * group lists the option values it merges (e.g. years 1 and 2 = "Pre-clinical"), and the groups' order is the
 * order of every table, comparison and model (the paper shows postgraduates first). Every option value of the
 * question must be in exactly one group, so no answer is dropped silently.
 */
const CategoriesSchema = z.object({
  /** A single-choice question id. */
  question: IdSchema,
  groups: z
    .array(
      z.object({
        /** The group's label in tables; default the merged options' labels joined with " / ". */
        label: z.string().min(1).optional(),
        values: z.array(z.number().finite()).min(1),
      }),
    )
    .min(1),
});
export type Categories = z.infer<typeof CategoriesSchema>;

/**
 * A score of the analysis made from other scores: the highest of them per respondent, e.g. the highest of three
 * barrier domains, so that "highest ≥ 1.5" is "any barrier domain ≥ 1.5". Missing when any of them is missing
 * (its value could be the highest). Usable wherever models, associations and correlations take a score.
 */
const CombinedScoreSchema = z.object({
  id: IdSchema,
  /** Its name in tables, e.g. "Highest barrier domain score". */
  label: z.string().min(1),
  /** Score or domain ids; the combined score is their maximum. */
  max: z.array(IdSchema).min(2),
});
export type CombinedScore = z.infer<typeof CombinedScoreSchema>;

export const AnalysisPlanSchema = z.object({
  /** Question ids to compare groups by (e.g. level of training, gender). */
  groupBy: z.array(IdSchema).default([]),
  /** Share of respondents at or above a score, with a Wilson interval. */
  thresholds: z.array(ThresholdSchema).default([]),
  /** Significance level used in result sentences. */
  alpha: z.number().gt(0).lt(1).default(0.05),
  /** Confidence level of intervals. */
  confidenceLevel: z.number().gt(0).lt(1).default(0.95),
  /** Which t-test the text reports; tables always show both rows. */
  ttest: z.enum(['welch', 'student']).default('welch'),
  /** Levene centre: 'mean' as SPSS, 'median' (Brown–Forsythe) as R car::leveneTest. */
  leveneCenter: z.enum(['mean', 'median']).default('mean'),
  /** Cronbach's alpha missing-data handling: 'listwise' as SPSS, 'pairwise' as psych::alpha. */
  alphaMissing: z.enum(['listwise', 'pairwise']).default('listwise'),
  /** A bar chart per multiple-choice question, beside its table. */
  questionFigures: z.boolean().default(false),
  /** How many items to show in the top-N endorsement chart. */
  topN: z.number().int().positive().default(10),
  /** Smallest group size shown in aggregate tables (small-cell suppression). 0 disables. */
  minCellSize: z.number().int().nonnegative().default(0),
  /** Regression models (linear, logistic), each reported as its own table with a result sentence. */
  models: z.array(ModelSchema).default([]),
  /** Merged categories and group order of single-choice questions, for the analysis only (analysis/categories.ts). */
  categories: z.array(CategoriesSchema).default([]),
  /** Bivariate associations of characteristics with an outcome, the test chosen by variable type. */
  associations: z.array(AssociationSchema).default([]),
  /** Scores made from other scores (their maximum), for models, associations and correlations. */
  combined: z.array(CombinedScoreSchema).default([]),
  /** A correlation matrix of scores and number questions. */
  correlations: CorrelationsSchema.optional(),
  /**
   * Multiple-comparison adjustment of the p-values of one family of tests: the tests of one association table,
   * one group comparison across scores, one correlation matrix. Significance in sentences follows the adjusted p.
   * Tukey and Games–Howell post-hoc tests are adjusted by the studentized range, Dunn's pairs (after Kruskal–Wallis) by
   * this method; regression coefficients are not.
   */
  adjust: z.enum(['none', 'holm', 'bonferroni', 'BH']).default('none'),
  /** The protocol's sample-size calculation, printed in the methods section. */
  sampleSize: SampleSizeSchema.optional(),
});
export type AnalysisPlan = z.infer<typeof AnalysisPlanSchema>;

const ConsentSchema = z.object({
  /** Increments whenever the text changes; each response records the version it agreed to. */
  version: z.number().int().positive().default(1),
  text: LocalizedTextSchema,
  agreeLabel: LocalizedTextSchema.optional(),
});
export type Consent = z.infer<typeof ConsentSchema>;

const EligibilitySchema = z.object({
  /** Screening questions, asked before anything else. Their answers are never stored for screened-out people. */
  questions: z.array(ItemSchema).min(1),
  /** Expression over the screening answers; when false the respondent sees `ineligibleMessage` and leaves. */
  eligibleIf: z.string().min(1),
  ineligibleMessage: LocalizedTextSchema.optional(),
});
export type Eligibility = z.infer<typeof EligibilitySchema>;

/** Whether a support contact's link is one a respondent's browser may follow: http(s) or tel only. */
function isContactUrl(url: string): boolean {
  try {
    const p = new URL(url).protocol;
    return p === 'https:' || p === 'http:' || p === 'tel:';
  } catch {
    return false;
  }
}

const SupportContactSchema = z.object({
  name: LocalizedTextSchema,
  phone: z.string().optional(),
  url: z
    .string()
    .url()
    .refine(isContactUrl, {
      message:
        'a support contact link must start with https://, http:// or tel: (e.g. https://example.org/help)',
    })
    .optional(),
  hours: LocalizedTextSchema.optional(),
  description: LocalizedTextSchema.optional(),
});
export type SupportContact = z.infer<typeof SupportContactSchema>;

const PageSchema = z.object({
  title: LocalizedTextSchema.optional(),
  /** Intro text under the page's title, above its questions (in every study language). */
  intro: IntroTextSchema.optional(),
  /** Question ids, or `instrument:<id>` for all items of an instrument. */
  items: z.array(z.string().min(1)).min(1),
});
export type Page = z.infer<typeof PageSchema>;

const CollectionSchema = z.object({
  /** Anonymous studies store no IP address, no user agent and no time of day. */
  anonymous: z.boolean().default(true),
  /** Store the time of submission (not only the date); off by default. */
  collectTimes: z.boolean().default(false),
  /** Cells with fewer respondents are suppressed in every aggregate view and shared export. */
  minCellSize: z.number().int().min(1).default(5),
  consent: ConsentSchema.optional(),
  eligibility: EligibilitySchema.optional(),
  /** Shown after submission to a respondent whose answers meet an instrument's safety rule. */
  supportContacts: z.array(SupportContactSchema).default([]),
  /** Show the support contacts on every respondent's end page too, not only after a safety rule fires. */
  supportForAll: z.boolean().default(false),
  /**
   * Scheduled close: the last day (YYYY-MM-DD, UTC) the study takes responses; from the next day the link shows
   * "this study is closed" and the API refuses. Evaluated at each request.
   */
  closesOn: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'a close date must be a day such as 2026-12-31' })
    .optional(),
  /** Response quota: the study stops taking responses once this many are stored. */
  quota: z.number().int().positive().optional(),
  /** Paging; by default one page for the study's questions and one per instrument. */
  pages: z.array(PageSchema).default([]),
  /**
   * Without `pages`: the page of the study's own questions comes before the instruments (the default) or after
   * them (e.g. demographics last). With `pages`, their order decides.
   */
  questionsPlacement: z.enum(['before', 'after']).default('before'),
  /**
   * Without `pages`: intro text under the title of the page of the study's own questions (in every study
   * language). With `pages`, each page has its own `intro`.
   */
  questionsIntro: IntroTextSchema.optional(),
  /** Snowball sampling: each respondent may pass on a link; waves are counted without identifying anyone. */
  referrals: z.boolean().default(false),
  /** Thank-you text after submission. */
  thankYou: LocalizedTextSchema.optional(),
});
export type Collection = z.infer<typeof CollectionSchema>;

/**
 * A follow-up after the survey (issue 14): respondents whose scores meet `eligibleIf` are offered, on the end
 * page, a separate page where they may leave contact details to be invited (a focus group, an interview). The
 * rule is an expression over scores and their bands (`band.dass21_d != "Extremely severe" and score.mbiss_ex
 * >= 20`, item answers too), decided after submission (src/core/study/followUp.ts). Contacts are kept apart
 * from the anonymous answers (docs/security.md, "Follow-up volunteers").
 */
const FollowUpSchema = z.object({
  /**
   * Who may volunteer: an expression over `score.<id>` (the value), `band.<id>` (the band's English label, with
   * `=`, `!=` or `in [...]`) and item answers. Unknown scores, bands and labels are refused naming the valid ones.
   */
  eligibleIf: z.string().min(1),
  /** What the follow-up is, on the volunteer page (e.g. "a 60-minute focus group in the skills lab in March"). */
  description: LocalizedTextSchema.optional(),
});

/**
 * A study's title: one string, as studies were written before issue 14 (still valid: in whichever
 * language the researcher typed it), or a text per language (`{ "en": "Stress survey", "ur": "…" }`) of which each
 * respondent page shows its own language, falling back as other localized text does (core/study/i18n.ts
 * `studyText`). The studio asks for the study's first language.
 */
const StudyTextSchema = z.union([z.string().min(1), LocalizedTextSchema]);
export type StudyText = z.infer<typeof StudyTextSchema>;

export const StudySchema = z.object({
  id: IdSchema,
  title: StudyTextSchema,
  /** For the researchers (the studio), not shown to respondents. */
  description: z.string().optional(),
  languages: z.array(LanguageSchema).min(1).default(['en']),
  instruments: z.array(StudyInstrumentSchema).default([]),
  /**
   * The study's own questions: demographics and custom questionnaires. Ids are the variable names; a grid
   * question's rows are the variables `<question id>_<row id>`.
   */
  questions: z.array(QuestionSchema).default([]),
  /** Titles for groups of questions, e.g. "Demographics" (optional, for pages and codebooks). */
  sections: z.array(z.object({ title: LocalizedTextSchema, items: z.array(IdSchema) })).default([]),
  analysis: AnalysisPlanSchema.default(AnalysisPlanSchema.parse({})),
  collection: CollectionSchema.default(CollectionSchema.parse({})),
  /** Follow-up volunteers after the survey: who may volunteer, and what for. */
  followUp: FollowUpSchema.optional(),
});
export type Study = z.infer<typeof StudySchema>;

/**
 * A study definition as it is stored and edited — the studio's draft: {@link StudySchema} with every top-level
 * member optional (a study being designed may have no id, title or questions yet), in its input form (members as
 * written, before defaults). One schema, so one type: the store checks every definition it writes and reads with
 * it (store/studies.ts) and returns `StudyDraft`, never `unknown`; a complete study is resolved from a draft by
 * resolve.ts, which applies the library and the cross-references.
 */
const StudyDraftSchema = StudySchema.partial();
export type StudyDraft = z.input<typeof StudyDraftSchema>;

/**
 * A value checked as a {@link StudyDraft}: the value itself (not the parsed copy, so nothing is added — no
 * defaults — and members this version does not know are kept), or the issues with their paths.
 */
export function parseStudyDraft(value: unknown): Validated<StudyDraft> {
  const r = StudyDraftSchema.safeParse(value);
  // The schema accepted `value`, so it has the schema's input type.
  return r.success ? { ok: true, value: value as StudyDraft } : { ok: false, issues: toIssues(r.error) };
}
