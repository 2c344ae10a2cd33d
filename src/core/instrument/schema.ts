/**
 * The instrument schema: the single source of an instrument's shape.
 *
 * Types are derived with `z.infer` (naming scheme: `FooSchema` is the Zod schema, `Foo` the parsed type,
 * `FooInput` what an author writes before defaults are applied). The JSON Schema for instrument authors is
 * generated from `InstrumentSchema` (see `jsonSchema.ts`), never written by hand.
 */

import { z } from 'zod';
import { type Issue, toIssues, type Validated } from '../issue.js';
import { at } from '../stats/at.js';
import { type ExpressionScope, expressionRefs, validateExpression } from './expression.js';

/** Identifiers of items, scales, scores: stable, safe as CSV/SPSS variable names. */
export const IdSchema = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_]{0,63}$/,
    'must start with a letter and use only letters, digits and _ (max 64)',
  );

/** BCP 47 language tag, e.g. "en", "ur". */
export const LanguageSchema = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag like en or ur');

/** Languages written right to left (used for `dir="rtl"` in pages and exports). */
export const RTL_LANGUAGES: ReadonlySet<string> = new Set(['ur', 'ar', 'fa', 'ps', 'sd', 'he', 'ug', 'ckb']);

/** Text in one or more languages: `{ en: "...", ur: "..." }`. */
export const LocalizedTextSchema = z
  .record(LanguageSchema, z.string().min(1))
  .refine((t) => Object.keys(t).length > 0, 'needs text in at least one language');
export type LocalizedText = z.infer<typeof LocalizedTextSchema>;

/** A short label: one line, at most 60 characters. */
export const ShortLabelSchema = z
  .string()
  .trim()
  .min(1)
  .max(60, 'must be at most 60 characters (a short label for headings and tables)')
  .regex(/^[^\n\r]*$/, 'must be one line');

const ResponseOptionSchema = z.object({
  /** Stored value (the score before reverse keying), e.g. 0–3, or 0/25/50/75/100 for CBI. */
  value: z.number().finite(),
  label: LocalizedTextSchema,
  /**
   * For multiple-choice items: choosing this option means none of the others ("None of these"). Options
   * labelled "None", "None of the above", "Nothing" are treated as exclusive unless this says false.
   */
  exclusive: z.boolean().optional(),
});
export type ResponseOption = z.infer<typeof ResponseOptionSchema>;

const ResponseScaleSchema = z.object({
  id: IdSchema,
  options: z.array(ResponseOptionSchema).min(2),
  /**
   * Label of the "not applicable" answer, for items that allow it. It is stored as its own status —
   * never as 0 and never as skipped — and left out of item denominators and scale scores.
   */
  notApplicableLabel: LocalizedTextSchema.optional(),
});
export type ResponseScale = z.infer<typeof ResponseScaleSchema>;

export const ItemTypeSchema = z.enum(['scale', 'single', 'multiple', 'number', 'text', 'longtext']);
export type ItemType = z.infer<typeof ItemTypeSchema>;

export const ItemSchema = z.object({
  id: IdSchema,
  /**
   * scale: rated on one of the instrument's response scales (a Likert grid is consecutive scale items
   * sharing a scale); single: one of `options`; multiple: select all that apply (each option becomes a 0/1
   * variable `<id>__<value>`); number; text (short); longtext.
   */
  type: ItemTypeSchema.default('scale'),
  /** Item text. Absent when the licence does not allow shipping it: the licensed user supplies a text pack. */
  text: LocalizedTextSchema.optional(),
  /**
   * A short label for headings, table rows and exports ("Level of training" for "What is your current level
   * of training?"). Derived from the text when absent (`shortLabel` in core/study/labels.ts).
   */
  short: ShortLabelSchema.optional(),
  /** For `scale` items: id of a response scale of this instrument. */
  scale: IdSchema.optional(),
  /** For `single` and `multiple` items. */
  options: z.array(ResponseOptionSchema).min(1).optional(),
  /** Reverse keying: scored as (min + max − value) of its scale. */
  reverse: z.boolean().default(false),
  /** Whether "not applicable" may be answered (e.g. BACE parent and work items). */
  notApplicable: z.boolean().default(false),
  /** Whether the wording was checked against a primary source. Unverified wording is shown to the researcher. */
  verified: z.boolean().default(true),
  /** Whether the item counts in scores (PHQ-9 item 10, the function item, does not). */
  scored: z.boolean().default(true),
  required: z.boolean().default(false),
  /** Skip logic: the item is shown only when this expression is true (see `expression.ts`). */
  showIf: z.string().min(1).optional(),
  /** For number items. */
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
  integer: z.boolean().optional(),
  /** For text items: maximum length in characters. */
  maxLength: z.number().int().positive().optional(),
  /** Free note for researchers (e.g. where the wording comes from). */
  note: z.string().optional(),
});
export type Item = z.infer<typeof ItemSchema>;
export type ItemInput = z.input<typeof ItemSchema>;

const BandSchema = z.object({
  /** Lowest score in the band (inclusive). Bands are sorted by `min`; a band ends where the next begins. */
  min: z.number().finite(),
  label: LocalizedTextSchema,
  /** Severity rank, 0 = lowest; used for "at or above moderate" style thresholds. */
  rank: z.number().int().nonnegative().optional(),
});
export type Band = z.infer<typeof BandSchema>;

const ScoreMethodSchema = z.enum(['sum', 'mean', 'prorated_sum']);

export const ScoreSchema = z.object({
  id: IdSchema,
  label: LocalizedTextSchema,
  /** The items it is computed from (ids of this instrument's items). */
  items: z.array(IdSchema).min(1),
  /**
   * sum: plain sum, requires `minAnswered` answered items (default: all);
   * mean: mean of answered items;
   * prorated_sum: mean of answered items × number of items (sum prorated for missing items).
   */
  method: ScoreMethodSchema,
  /** Minimum answered (not skipped, not "not applicable") items for a score; fewer gives a missing score. */
  minAnswered: z.number().int().positive().optional(),
  /** Applied after summing, e.g. DASS-21 × 2 to the DASS-42 metric. */
  multiplier: z.number().positive().default(1),
  bands: z.array(BandSchema).optional(),
  /** True for the instrument owner's scoring; false for a study's own domains. Reports name which was used. */
  official: z.boolean().default(true),
  /** A short description of the scoring for methods sections, e.g. "sum of items 1–9 (0–27)". */
  description: z.string().optional(),
});
export type Score = z.infer<typeof ScoreSchema>;
export type ScoreInput = z.input<typeof ScoreSchema>;

const SafetyRuleSchema = z.object({
  id: IdSchema,
  /** Expression over item values and scores, e.g. `phq9_9 > 0` or `score.dass21_d >= 28`. */
  when: z.string().min(1),
  description: z.string().min(1),
});

const LicenceSchema = z.object({
  /** Short name, e.g. "Pfizer: no permission required", "KCL conditions of use". */
  name: z.string().min(1),
  /** Whether this repository may ship the item text. When false, items carry no text; use a text pack. */
  textIncluded: z.boolean(),
  /** Whether a study owner must acknowledge the owner's terms before the instrument may be used. */
  requiresAcknowledgement: z.boolean().default(false),
  /** The terms of use in the owner's words or a faithful summary, shown at acknowledgement. */
  terms: z.string().min(1),
  /** The licence line the owner requires on forms and reports. */
  attribution: z.string().min(1),
  url: z.string().url().optional(),
});
export type Licence = z.infer<typeof LicenceSchema>;

/** Back-translation status of a translated text pack. */
export const BackTranslationSchema = z.enum(['not_done', 'in_progress', 'done', 'not_applicable']);
export type BackTranslation = z.infer<typeof BackTranslationSchema>;

/** How the codebook and the studio name a back-translation status. */
export const BACK_TRANSLATION_LABELS: Readonly<Record<BackTranslation, string>> = {
  not_done: 'not back-translated',
  in_progress: 'back-translation in progress',
  done: 'back-translated',
  not_applicable: 'original wording (no translation)',
};

/** A record of a text pack applied to an instrument: who supplied it and whether it matches the known text. */
const AppliedTextPackSchema = z.object({
  language: LanguageSchema,
  version: z.string().min(1),
  licensee: z.string().min(1),
  /** `textPackFingerprint` of the pack (16 hex digits). */
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
  /** true: matches a known fingerprint; false: differs from every known one; null: none known for the language. */
  matchesKnownText: z.boolean().nullable(),
  /** Where the wording comes from (copied from the pack). */
  source: z.string().min(1).optional(),
  /** Back-translation status of a translation (copied from the pack). */
  backTranslation: BackTranslationSchema.optional(),
});
export type AppliedTextPack = z.infer<typeof AppliedTextPackSchema>;

/**
 * The licence of an instrument that does not say otherwise: an own instrument of the study team (a locally
 * written questionnaire). A study that adapts someone else's scale sets `licence` (and `citation`) to the
 * owner's terms. Library instruments always state their licence (`defineInstrument` requires it).
 */
export const OWN_INSTRUMENT_LICENCE: Licence = Object.freeze({
  name: 'Own instrument of the study team',
  textIncluded: true,
  requiresAcknowledgement: false,
  terms: 'Written by the study team; no third-party terms of use.',
  attribution: "The study team's own instrument.",
});
/** The citation of an instrument that does not give one. */
const OWN_INSTRUMENT_CITATION = 'Own instrument of the study team (not a published instrument).';

export const InstrumentSchema = z
  .object({
    /** Optional `$schema` reference, so editors validate a JSON file against schemas/instrument.schema.json. */
    $schema: z.string().optional(),
    id: IdSchema,
    /** Default "1". */
    version: z.string().min(1).default('1'),
    title: LocalizedTextSchema,
    /** Default: the title in its first language. */
    shortTitle: z.string().min(1).optional(),
    /** Default: "Own instrument of the study team (not a published instrument)." */
    citation: z.string().min(1).default(OWN_INSTRUMENT_CITATION),
    /** Default: an own instrument of the study team (text included, no terms to acknowledge). */
    licence: LicenceSchema.default(OWN_INSTRUMENT_LICENCE),
    instructions: LocalizedTextSchema.optional(),
    /** E.g. "past week", "last 2 weeks", "ever". */
    recallPeriod: z.string().optional(),
    /** Default: the languages of the title. */
    languages: z.array(LanguageSchema).min(1).optional(),
    scales: z.array(ResponseScaleSchema).default([]),
    items: z.array(ItemSchema).min(1),
    scores: z.array(ScoreSchema).default([]),
    safety: z.array(SafetyRuleSchema).default([]),
    /** Item endorsement: an answer at or above `threshold` counts as endorsing (e.g. BACE ≥ 2). */
    endorsement: z.object({ threshold: z.number().finite(), label: LocalizedTextSchema }).optional(),
    /** Facts a researcher must know: unverified parts, implementation decisions. */
    notes: z.array(z.string()).default([]),
    /**
     * Fingerprints (`textPackFingerprint`, FNV-1a 64 of the normalized text) of text packs known to hold the
     * owner's exact wording, by language. A pack whose fingerprint differs is flagged as possibly modified.
     */
    textFingerprints: z.record(LanguageSchema, z.array(z.string().regex(/^[0-9a-f]{16}$/))).optional(),
    /** Text packs applied to this copy of the instrument (set by `applyTextPack`, never by authors). */
    appliedTextPacks: z.array(AppliedTextPackSchema).optional(),
  })
  .superRefine((ins, ctx) => {
    const itemIds = new Set<string>();
    const scaleIds = new Set(ins.scales.map((s) => s.id));
    ins.items.forEach((it, i) => {
      if (itemIds.has(it.id))
        ctx.addIssue({ code: 'custom', path: ['items', i, 'id'], message: `duplicate item id "${it.id}"` });
      itemIds.add(it.id);
      if (it.type === 'scale' && (!it.scale || !scaleIds.has(it.scale))) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'scale'],
          message: `item "${it.id}" refers to scale "${it.scale ?? ''}", which is not one of: ${[...scaleIds].join(', ') || '(none)'}`,
        });
      }
      if ((it.type === 'single' || it.type === 'multiple') && !it.options) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'options'],
          message: `item "${it.id}" of type ${it.type} needs options`,
        });
      }
      if (ins.licence.textIncluded && !it.text) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'text'],
          message: `item "${it.id}" has no text although licence.textIncluded is true`,
        });
      }
      if (!ins.licence.textIncluded && it.text && !ins.appliedTextPacks?.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'text'],
          message: `item "${it.id}" has text although licence.textIncluded is false (ship it in a text pack)`,
        });
      }
    });
    const scoreIds = new Set<string>();
    ins.scores.forEach((s, i) => {
      if (scoreIds.has(s.id))
        ctx.addIssue({ code: 'custom', path: ['scores', i, 'id'], message: `duplicate score id "${s.id}"` });
      scoreIds.add(s.id);
      s.items.forEach((id, j) => {
        if (!itemIds.has(id))
          ctx.addIssue({
            code: 'custom',
            path: ['scores', i, 'items', j],
            message: `score "${s.id}" uses unknown item "${id}"`,
          });
      });
      if (s.minAnswered !== undefined && s.minAnswered > s.items.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['scores', i, 'minAnswered'],
          message: `score "${s.id}": minAnswered ${s.minAnswered} exceeds its ${s.items.length} items`,
        });
      }
      if (s.bands) {
        for (let b = 1; b < s.bands.length; b++) {
          if (at(s.bands, b).min <= at(s.bands, b - 1).min) {
            ctx.addIssue({
              code: 'custom',
              path: ['scores', i, 'bands', b, 'min'],
              message: `score "${s.id}": bands must be sorted by strictly increasing min`,
            });
          }
        }
      }
    });
    // Skip logic and safety rules: they must parse and refer only to this instrument's items and scores.
    const scope: ExpressionScope = { items: itemIds, scores: scoreIds };
    const report = (issues: readonly Issue[], path: (string | number)[]): void => {
      for (const is of issues) ctx.addIssue({ code: 'custom', path, message: is.message });
    };
    ins.items.forEach((it, i) => {
      if (it.showIf === undefined) return;
      const r = validateExpression(it.showIf, scope);
      if (!r.ok) report(r.issues, ['items', i, 'showIf']);
      else if (expressionRefs(r.value).some((ref) => ref.scope === 'item' && ref.id === it.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'showIf'],
          message: `item "${it.id}": showIf refers to the item itself`,
        });
      }
    });
    ins.safety.forEach((rule, i) => {
      const r = validateExpression(rule.when, scope);
      if (!r.ok) report(r.issues, ['safety', i, 'when']);
    });
  })
  .transform(({ $schema: _, ...ins }) => ({
    ...ins,
    shortTitle: ins.shortTitle ?? at(Object.values(ins.title), 0),
    languages: ins.languages ?? Object.keys(ins.title),
  }));
export type Instrument = z.infer<typeof InstrumentSchema>;
export type InstrumentInput = z.input<typeof InstrumentSchema>;

/**
 * A text pack: the item text of a licensed instrument, supplied by a user who holds the licence
 * (MBI-SS, PSS-10, OLBI, BAT). Applied with `applyTextPack`.
 */
export const TextPackSchema = z.object({
  instrument: IdSchema,
  version: z.string().min(1),
  language: LanguageSchema,
  instructions: z.string().min(1).optional(),
  items: z.record(IdSchema, z.string().min(1)),
  /** Option labels per scale id, keyed by option value. */
  scales: z.record(IdSchema, z.record(z.string(), z.string().min(1))).optional(),
  /** Who holds the licence this text is used under, shown in reports. */
  licensee: z.string().min(1),
  /**
   * Where the wording comes from: the owner's form, or for a translation the published translation or the
   * translators (e.g. "Urdu translation by A. Khan, validated in Khan et al. 2021"). Shown in the codebook.
   */
  source: z.string().min(1).optional(),
  /** For a translation: whether it was back-translated (shown in the codebook). */
  backTranslation: BackTranslationSchema.optional(),
});
export type TextPack = z.infer<typeof TextPackSchema>;

// One problem shape for every validator (core/issue.ts); re-exported here, where most validators import it from.
export type { Issue, Validated } from '../issue.js';
export { toIssues } from '../issue.js';

/** Parse and validate an instrument definition; never throws on bad input. */
export function parseInstrument(input: unknown): Validated<Instrument> {
  const r = InstrumentSchema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: toIssues(r.error) };
}
