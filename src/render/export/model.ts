/**
 * The export model: what the store hands the exporters (`ExportRecord`, one per response, as an async
 * iterable that pages through the database), what the researcher chose (`ExportOptions`), and the variable
 * list every format is written from (`ExportVariable`, built once per export by `buildVariables`).
 *
 * Every writer (`writeSav`, `writeCsv`, `writeXlsx`) consumes the records one at a time and sends bytes to
 * the sink in chunks of bounded size, so an export of 100,000+ responses never holds more than one chunk.
 */
import type { AppliedTextPack } from '../../core/instrument/schema.js';
import type { Answers } from '../../core/response/submission.js';
import type { ScoringPlan } from '../../core/scoring/plan.js';

/** One stored response, as the store pages it out. */
export interface ExportRecord {
  /** The response's random identifier (not linked to any person). */
  readonly responseId: string;
  /** Date of submission, `YYYY-MM-DD` (exports give dates, not times, unless the owner turns times on). */
  readonly submittedOn: string;
  /** ISO 8601 time of submission; only present when the owner enabled times. */
  readonly submittedAt?: string;
  /** Language the respondent answered in, e.g. "en", "ur". */
  readonly language: string;
  /** Snowball sampling: the recruitment wave (0 = the study's own link). */
  readonly referralWave?: number;
  /** Imported from an export: `imported:<file SHA-256 prefix>`; absent for a collected response. */
  readonly source?: string;
  /** The consent version the respondent agreed to (studies with consent; absent for imported responses). */
  readonly consentVersion?: number;
  /** A follow-up wave's response: the volunteer's panel id (the same in every wave of one screening study). */
  readonly panelId?: string;
  /** The validated answers, by item id. */
  readonly answers: Answers;
}

/** What goes into an export, as the researcher chose it. */
export interface ExportOptions {
  /** CSV and XLSX: value labels ("Female") or codes (1). The .sav file always holds codes plus value labels. */
  readonly labels: 'labels' | 'codes';
  /** Include free-text answers (text and longtext items). Off by default: they may identify people. */
  readonly includeFreeText: boolean;
  /** Include the time of submission (only when the owner enabled times). Off by default: dates only. */
  readonly includeTimes: boolean;
  /** Add each score, its band and the number of items it used (computed with `scoreRespondent`). */
  readonly includeScores: boolean;
  /**
   * Add a `source` column: `collected`, or `imported:<file SHA-256 prefix>` for responses imported from an
   * export (the studio turns it on when the study has imported responses).
   */
  readonly includeSource?: boolean;
  /**
   * Add a `panel_id` column: a follow-up wave's pseudonymous panel id, which links a volunteer's responses
   * across the waves of one screening study (the studio turns it on for a wave).
   */
  readonly includePanel?: boolean;
  /**
   * CSV and XLSX: how skipped / not applicable / not shown appear: `empty` cells (the default, safe for
   * spreadsheet averages) or `codes` (-9 / -8 / -7, or their labels when `labels` is "labels").
   * The .sav file always holds the codes, declared as user-missing.
   */
  readonly missing: 'empty' | 'codes';
  /**
   * Optional: the longest stored value in bytes (UTF-8) per free-text item id, e.g. from SQL
   * `max(octet_length(...))`. Narrows the .sav string widths, which otherwise allow the item's maximum
   * length × 4 bytes (never truncating a valid answer).
   */
  readonly stringWidths?: Readonly<Record<string, number>>;
}

export const DEFAULT_EXPORT_OPTIONS: ExportOptions = {
  labels: 'codes',
  includeFreeText: false,
  includeTimes: false,
  includeScores: false,
  missing: 'empty',
};

/** The three kinds of "no answer", kept apart in every export (never 0, never merged). */
export type MissingKind = 'skipped' | 'not_applicable' | 'not_shown';

/** A user-missing code: declared as a discrete missing value in .sav and listed in the codebook. */
export interface MissingCode {
  readonly kind: MissingKind;
  readonly value: number;
  readonly label: string;
}

/** The default codes. Items whose own values could collide get codes further out (see `missingCodesFor`). */
export const MISSING_CODES: Readonly<Record<MissingKind, MissingCode>> = {
  skipped: { kind: 'skipped', value: -9, label: 'Skipped' },
  not_applicable: { kind: 'not_applicable', value: -8, label: 'Not applicable' },
  not_shown: { kind: 'not_shown', value: -7, label: 'Not shown' },
};

export interface ValueLabel {
  readonly value: number;
  readonly label: string;
}

/**
 * How a variable is displayed and stored.
 * - `F`: a number, `width` characters with `decimals` decimals (SPSS F format);
 * - `SDATE`: a date; the row value is the `YYYY-MM-DD` string (SPSS SDATE10, shown as yyyy/mm/dd);
 * - `YMDHMS`: a date and time in UTC; the row value is an ISO 8601 string (SPSS YMDHMS19);
 * - `A`: text of at most `width` bytes of UTF-8 (longer values are cut at a character boundary).
 */
export type VariableFormat =
  | { readonly type: 'F'; readonly width: number; readonly decimals: number }
  | { readonly type: 'SDATE' }
  | { readonly type: 'YMDHMS' }
  | { readonly type: 'A'; readonly width: number };

/** Where a variable's value comes from in a record. */
type VariableSource =
  | { readonly kind: 'response_id' }
  | { readonly kind: 'submitted_on' }
  | { readonly kind: 'submitted_at' }
  | { readonly kind: 'language' }
  | { readonly kind: 'referral_wave' }
  | { readonly kind: 'source' }
  | { readonly kind: 'consent_version' }
  | { readonly kind: 'panel_id' }
  /** A scale, single-choice, number or text item. */
  | { readonly kind: 'item'; readonly itemId: string }
  /** One option of a multiple-choice item: 1 chosen, 0 not chosen. */
  | {
      readonly kind: 'choice';
      readonly itemId: string;
      readonly value: number;
      readonly itemLabel: string;
      readonly optionLabel: string;
    }
  /** A score, its band (1 = first band) or the number of items it used; computed per record with `plan`. */
  | {
      readonly kind: 'score';
      readonly scoreId: string;
      readonly part: 'value' | 'band' | 'n_answered';
      readonly plan: ScoringPlan;
    };

/** The instrument facts a codebook needs beside each of its variables. */
export interface InstrumentInfo {
  readonly id: string;
  readonly version: string;
  readonly shortTitle: string;
  readonly title: string;
  readonly citation: string;
  readonly licenceName: string;
  /** The licence line the owner requires on forms and reports. */
  readonly attribution: string;
  readonly url?: string;
  /** The text packs the study applied: language, licensee, source and back-translation status. */
  readonly textPacks?: readonly AppliedTextPack[];
}

/** What a variable belongs to, for the codebook. */
export type VariableGroup =
  | { readonly kind: 'response' }
  | { readonly kind: 'screening' }
  | {
      readonly kind: 'question';
      readonly section?: string;
      /** For a row of a grid question: the grid's short label. */
      readonly grid?: string;
    }
  | { readonly kind: 'instrument'; readonly instrument: InstrumentInfo }
  | {
      readonly kind: 'score';
      readonly instrument: InstrumentInfo;
      readonly scoreId: string;
      readonly official: boolean;
    };

/** One column of an export. */
export interface ExportVariable {
  /** SPSS-safe (letters, digits, _; starts with a letter; not a reserved word), ≤ 64 bytes, unique ignoring case. */
  readonly name: string;
  /** English label, full length (the .sav writer cuts it to 256 bytes at a character boundary). */
  readonly label: string;
  /** Short label for tables and headings ("Level of training"); absent for response metadata and text-less items. */
  readonly short?: string;
  readonly type: 'numeric' | 'string';
  readonly format: VariableFormat;
  readonly measure: 'nominal' | 'ordinal' | 'scale';
  /** Labels of the valid values (option value → label). Missing codes are labelled in `missing`. */
  readonly valueLabels: readonly ValueLabel[];
  /** User-missing codes (numeric variables only): skipped, not applicable, not shown. */
  readonly missing: readonly MissingCode[];
  readonly group: VariableGroup;
  readonly source: VariableSource;
  /** How the variable is scored or computed (reverse keying, method, bands), for the codebook. */
  readonly scoring?: string;
}

/**
 * One row value, by variable: a number or `null` (system-missing) for `F`; the raw `YYYY-MM-DD` or ISO string
 * (or `null`) for `SDATE` / `YMDHMS`; a string (`''` when there is none) for `A`.
 */
export type RowValue = number | string | null;

/** What a writer reports when it has finished. */
export interface ExportSummary {
  /** Records written. */
  readonly rows: number;
  /** Bytes sent to the sink. */
  readonly bytes: number;
  /** .sav only: string values cut to their variable's width (should be 0; see `ExportOptions.stringWidths`). */
  readonly truncated: number;
}
