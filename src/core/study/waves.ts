/**
 * Follow-up waves (issue 14), the pure side: a wave's name, and the paired comparison of a score between two
 * waves over the volunteers who answered both (paired t-test, as R `t.test(x, y, paired = TRUE)`, and Wilcoxon
 * signed-rank test, as R `wilcox.test(x, y, paired = TRUE)`). Fewer than k
 * complete pairs: the comparison is suppressed (k-safety: a mean change over a handful of known volunteers
 * says too much about each of them).
 */

import type { Issue } from '../issue.js';
import { at } from '../stats/at.js';
import { isNotComputable, type NotComputable } from '../stats/result.js';
import { wilcoxonSignedRank } from '../stats/signedrank.js';
import { meanAndSS } from '../stats/summation.js';
import { ttestPaired } from '../stats/ttest.js';
import { duplicateDefinition } from './lifecycle.js';
import type { StudyDraft } from './schema.js';

/** A wave's name: 1–40 characters, letters, digits, spaces, `-` and `_` ("pre", "post", "6 months"). */
export function waveLabelIssue(label: string, taken: readonly string[]): Issue | undefined {
  const l = label.trim();
  if (!/^[\p{L}\p{N}][\p{L}\p{N} _-]{0,39}$/u.test(l))
    return {
      path: 'label',
      code: 'bad_wave_label',
      message: `"${label}" is not a wave name: use 1 to 40 letters, digits, spaces, "-" or "_", starting with a letter or digit (e.g. "pre", "post", "6 months")`,
    };
  if (taken.some((t) => t.toLowerCase() === l.toLowerCase()))
    return {
      path: 'label',
      code: 'wave_label_taken',
      message: `this study has a wave called "${l}" already; give the new wave another name`,
    };
  return undefined;
}

/** The invitation text of a wave (`{name}`, `{link}` filled in per volunteer, as `invitationText`). */
export const DEFAULT_WAVE_INVITATION =
  'Hello {name}, thank you for volunteering for our follow-up. Please answer the follow-up questionnaire with your personal link: {link} — your answers are confidential and stored under a code, not your name. The same link answers it once.';

/** The paired t-test of one score's change, or why it was not computed. */
export type PairedTTest =
  | {
      readonly kind: 'computed';
      readonly t: number;
      readonly df: number;
      readonly p: number;
      /** 95% confidence interval of the mean change. */
      readonly ci: readonly [number, number];
    }
  | NotComputable;

/** The Wilcoxon signed-rank test of one score's change (R `wilcox.test(paired = TRUE)`), or why not. */
export type PairedSignedRank =
  | {
      readonly kind: 'computed';
      /** R's V: the sum of the ranks of |change| over the volunteers whose score rose. */
      readonly v: number;
      readonly p: number;
      /** Exact p (fewer than 50 changes, no ties, no zeros), else the normal approximation. */
      readonly exact: boolean;
      /** Volunteers whose score changed (no-change pairs are dropped, as R does). */
      readonly n: number;
      /** r = z/√n, z of the normal approximation with continuity correction. */
      readonly r: number;
    }
  | NotComputable;

/** One score compared between two waves. */
export type PairedComparison =
  | {
      readonly kind: 'computed';
      readonly pairs: number;
      /** Means of the first and second wave over the complete pairs, and of the differences second − first. */
      readonly meanFirst: number;
      readonly meanSecond: number;
      readonly meanChange: number;
      readonly ttest: PairedTTest;
      readonly signedRank: PairedSignedRank;
    }
  | { readonly kind: 'suppressed'; readonly pairs: number }
  | { readonly kind: 'not_computable'; readonly pairs: number; readonly reason: string };

const meanOf = (v: readonly number[]) => meanAndSS(v).mean;

function tPart(x: readonly number[], y: readonly number[]): PairedTTest {
  const r = ttestPaired(x, y);
  if (isNotComputable(r)) return r;
  return { kind: 'computed', t: r.statistic, df: r.df, p: r.pValue, ci: [r.ci.lower, r.ci.upper] };
}

function signedRankPart(x: readonly number[], y: readonly number[]): PairedSignedRank {
  const r = wilcoxonSignedRank(x, y);
  if (isNotComputable(r)) return r;
  return { kind: 'computed', v: r.statistic, p: r.pValue, exact: r.exact, n: r.n, r: r.effectSizeR };
}

/**
 * Compare a score between two waves: `first[i]` and `second[i]` are one volunteer's values (null: not
 * answered or not computable). The change is second − first: a paired t-test (R `t.test(second, first, paired
 * = TRUE)`) and a Wilcoxon signed-rank test (R `wilcox.test(second, first, paired = TRUE)`). Suppressed below k
 * complete pairs; not computable when neither test is (e.g. every change is 0).
 */
export function pairedComparison(
  first: readonly (number | null)[],
  second: readonly (number | null)[],
  k: number,
): PairedComparison {
  const x: number[] = [];
  const y: number[] = [];
  for (const [i, a] of first.entries()) {
    const b = second[i];
    if (a !== null && b !== null && b !== undefined) {
      x.push(b);
      y.push(a);
    }
  }
  const pairs = x.length;
  if (pairs < Math.max(1, k)) return { kind: 'suppressed', pairs };
  const ttest = tPart(x, y);
  const signedRank = signedRankPart(x, y);
  if (ttest.kind === 'not_computable' && signedRank.kind === 'not_computable')
    return { kind: 'not_computable', pairs, reason: ttest.reason };
  const meanSecond = meanOf(x);
  const meanFirst = meanOf(y);
  return {
    kind: 'computed',
    pairs,
    meanFirst,
    meanSecond,
    meanChange: meanOf(x.map((v, i) => v - at(y, i))),
    ttest,
    signedRank,
  };
}

/** The consent paragraph every new wave starts with: its answers are confidential, not anonymous. */
const WAVE_CONSENT_NOTE: Readonly<Record<'en' | 'ur', string>> = {
  en: 'This is a follow-up for volunteers of an earlier survey. It is confidential, not anonymous: you were invited with a personal link, so the researchers know who was invited. Your answers are stored under a code (not your name or contact details) that links them to your answers in the other follow-up questionnaires, and the researchers report only group results. You may stop at any time; withdrawing with your personal link deletes your follow-up answers.',
  ur: 'یہ ایک پچھلے سروے کے رضاکاروں کے لیے فالو اپ ہے۔ یہ رازدارانہ ہے، گمنام نہیں: آپ کو ذاتی لنک سے مدعو کیا گیا، اس لیے محققین جانتے ہیں کہ کسے مدعو کیا گیا۔ آپ کے جوابات ایک کوڈ کے تحت محفوظ ہوتے ہیں (آپ کے نام یا رابطے کی تفصیلات کے تحت نہیں) جو انہیں دوسرے فالو اپ سوالناموں کے آپ کے جوابات سے جوڑتا ہے، اور محققین صرف گروپ کے نتائج بتاتے ہیں۔ آپ کسی بھی وقت رک سکتے ہیں؛ ذاتی لنک سے دستبردار ہونے پر آپ کے فالو اپ جوابات مٹا دیے جاتے ہیں۔',
};

/**
 * The first definition of a new wave of a screening study: a copy of the screening study's design
 * (`duplicateDefinition`: terms accepted again, consent back to version 1) without its follow-up offer (a wave
 * makes no new volunteers) or referral links, and with the confidentiality note at the top of the consent
 * text in each language the note exists in (a consent text is made from the note when there is none).
 */
export function waveDefinition(parent: StudyDraft, title: string): StudyDraft {
  const def = duplicateDefinition(parent, title);
  delete def.followUp;
  const collection = { ...(def.collection ?? {}) };
  if (collection.referrals) collection.referrals = false;
  const languages = def.languages?.length ? def.languages : ['en'];
  const note = (lang: string) => WAVE_CONSENT_NOTE[lang === 'ur' ? 'ur' : 'en'];
  const old = collection.consent;
  const text: Record<string, string> = {};
  for (const lang of old ? Object.keys(old.text) : languages)
    text[lang] = old?.text[lang] ? `${note(lang)}\n\n${old.text[lang]}` : note(lang);
  collection.consent = { ...(old ?? {}), version: 1, text };
  def.collection = collection;
  return def;
}
