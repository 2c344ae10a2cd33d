/**
 * Written consent for focus groups and interviews (issue 14): the consent form's versions, one record per
 * participant who signed (form version, date signed, the name or initials they signed with as the researcher
 * records them, the witness, notes), and the withdrawal of consent recorded on that record.
 *
 * Pure rules only; the server stores both lists in the qualitative project's document (src/store/qual.ts,
 * `ProjectDocSchema`), so recording a withdrawal commits in the same transaction as the deletion of the
 * participant's data (src/server/qual/withdraw.ts).
 *
 * - A form version is never edited once added: what a participant signed stays what the PDF prints. A new
 *   wording is a new version.
 * - A record keeps the participant's pseudonym, so the register still says who withdrew after their data is
 *   deleted. The name or initials they signed with are confidential: masked in the audit trail
 *   ({@link consentAuditView}) and never in an export other than the register itself (the ethics file).
 */
import { z } from 'zod';
import type { Issue } from '../issue.js';
import { codePoint } from '../stats/at.js';
import { IsoDateTimeSchema, QualIdSchema } from './model.js';

/** A calendar date, YYYY-MM-DD. */
const IsoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-12-07');

export const CONSENT_LANGUAGES = ['en', 'ur'] as const;

/** One version of the consent form: its label, language, title and full text. */
export const ConsentFormSchema = z.object({
  version: z.string().trim().min(1).max(60),
  language: z.enum(CONSENT_LANGUAGES),
  title: z.string().trim().min(1).max(200),
  text: z.string().min(1).max(20_000),
  addedAt: IsoDateTimeSchema,
  addedBy: QualIdSchema,
});
export type ConsentForm = z.infer<typeof ConsentFormSchema>;

/** The withdrawal of consent, recorded on the consent record (the participant's data is deleted with it). */
const ConsentWithdrawalSchema = z.object({
  /** When it was recorded (ISO date-time). */
  at: IsoDateTimeSchema,
  by: QualIdSchema,
  note: z.string().max(2000).default(''),
});

/** A participant's written consent as the researcher records it from the signed paper form. */
export const ConsentRecordSchema = z.object({
  id: QualIdSchema,
  participantId: QualIdSchema,
  /** The participant's pseudonym when consent was recorded (kept after a withdrawal deletes the participant). */
  pseudonym: z.string().min(1),
  formVersion: z.string().min(1).max(60),
  signedOn: IsoDateSchema,
  /** The name or initials the participant signed with. Confidential. */
  signedAs: z.string().trim().min(1).max(200),
  witness: z.string().trim().max(200).default(''),
  notes: z.string().max(2000).default(''),
  recordedAt: IsoDateTimeSchema,
  recordedBy: QualIdSchema,
  withdrawal: ConsentWithdrawalSchema.optional(),
});
export type ConsentRecord = z.infer<typeof ConsentRecordSchema>;

/** Arabic-script harakat and other combining marks a PDF cannot place without mark positioning. */
const ARABIC_MARKS = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]/u;
/** Any Arabic-script letter. */
export const ARABIC_SCRIPT = /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/u;

/** The ways a new consent form version can be wrong (empty when it can be added). */
export function checkConsentForm(
  form: Pick<ConsentForm, 'version' | 'language' | 'text'>,
  existing: readonly ConsentForm[],
): Issue[] {
  const issues: Issue[] = [];
  if (existing.some((f) => f.version === form.version))
    issues.push({
      path: 'version',
      code: 'duplicate_version',
      message: `Consent form version "${form.version}" exists already and its text cannot change (participants signed it); give the new wording a new version label, e.g. "${form.version}-b".`,
    });
  if (form.text.trim() === '')
    issues.push({ path: 'text', code: 'empty', message: 'Paste the consent form text.' });
  const mark = ARABIC_MARKS.exec(form.text);
  if (mark)
    issues.push({
      path: 'text',
      code: 'unsupported_mark',
      message: `The text has the diacritic U+${codePoint(mark[0]).toString(16).toUpperCase().padStart(4, '0')} (zer, zabar, pesh…), which the consent PDF cannot place correctly; remove the diacritics (Urdu is normally written without them).`,
    });
  if (form.language === 'en' && ARABIC_SCRIPT.test(form.text))
    issues.push({
      path: 'language',
      code: 'wrong_language',
      message: 'The text is in Urdu script but the language says English; choose Urdu.',
    });
  return issues;
}

/** What the researcher enters for one signed form. */
interface ConsentInput {
  readonly participantId: string;
  readonly formVersion: string;
  readonly signedOn: string;
  readonly signedAs: string;
  readonly witness: string;
  readonly notes: string;
}

/** Whether YYYY-MM-DD names a real calendar day. */
function realDate(d: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return false;
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}

/**
 * The ways a consent record can be wrong: unknown participant or form version, a date that is not a day or
 * lies after `today` (UTC; a day's grace for time zones ahead), no name or initials, or a second live
 * consent of the same participant to the same version.
 */
export function checkConsentRecord(
  input: ConsentInput,
  ctx: {
    readonly forms: readonly ConsentForm[];
    readonly records: readonly ConsentRecord[];
    readonly participants: ReadonlySet<string>;
    readonly today: string;
  },
): Issue[] {
  const issues: Issue[] = [];
  if (!ctx.participants.has(input.participantId))
    issues.push({
      path: 'participant',
      code: 'unknown_participant',
      message: `Participant "${input.participantId}" does not exist; choose one from the list (add them on the Participants page first).`,
    });
  if (!ctx.forms.some((f) => f.version === input.formVersion))
    issues.push({
      path: 'formVersion',
      code: 'unknown_version',
      message: `Consent form version "${input.formVersion}" does not exist; add it under "Consent form versions" first.`,
    });
  if (!realDate(input.signedOn))
    issues.push({
      path: 'signedOn',
      code: 'invalid_date',
      message: `Date signed "${input.signedOn}" is not a date; enter it as YYYY-MM-DD, e.g. 2026-12-07.`,
    });
  else {
    const latest = new Date(`${ctx.today}T00:00:00Z`);
    latest.setUTCDate(latest.getUTCDate() + 1);
    if (input.signedOn > latest.toISOString().slice(0, 10))
      issues.push({
        path: 'signedOn',
        code: 'future_date',
        message: `Date signed ${input.signedOn} is in the future (today is ${ctx.today}); enter the date on the signed form.`,
      });
  }
  if (input.signedAs.trim() === '')
    issues.push({
      path: 'signedAs',
      code: 'required',
      message: 'Enter the name or initials the participant signed with, as on the form.',
    });
  const live = ctx.records.find(
    (r) => r.participantId === input.participantId && r.formVersion === input.formVersion && !r.withdrawal,
  );
  if (live)
    issues.push({
      path: 'participant',
      code: 'already_recorded',
      message: `${live.pseudonym}'s consent to version "${input.formVersion}" is recorded already (signed ${live.signedOn}).`,
    });
  return issues;
}

/** The records after `participantId` withdrew consent: each of their live records gets the withdrawal. */
export function withdrawConsents(
  records: readonly ConsentRecord[],
  participantId: string,
  withdrawal: z.infer<typeof ConsentWithdrawalSchema>,
): ConsentRecord[] {
  return records.map((r) => (r.participantId === participantId && !r.withdrawal ? { ...r, withdrawal } : r));
}

/** A consent record as the audit trail keeps it: the name or initials signed with are masked. */
export function consentAuditView(r: ConsentRecord): Omit<ConsentRecord, 'signedAs'> & { signedAs: string } {
  return { ...r, signedAs: '[confidential]' };
}

/** A participant's live written consent in a few words, for the participants page. */
export function consentSummary(records: readonly ConsentRecord[], participantId: string): string {
  const live = records.filter((r) => r.participantId === participantId && !r.withdrawal);
  return live.length
    ? live.map((r) => `${r.formVersion}, signed ${r.signedOn}`).join('; ')
    : 'no written consent recorded';
}

/** The register's status of a record. */
export function consentStatus(r: ConsentRecord): string {
  return r.withdrawal ? `withdrawn ${r.withdrawal.at.slice(0, 10)}` : 'consented';
}

/** The columns of the consent register (page and CSV). */
export const CONSENT_REGISTER_COLUMNS = [
  'Record',
  'Participant',
  'Form version',
  'Language',
  'Date signed',
  'Signed as',
  'Witness',
  'Notes',
  'Recorded at',
  'Recorded by',
  'Status',
  'Withdrawal recorded at',
  'Withdrawal recorded by',
  'Withdrawal note',
] as const;

/** The register: one row per record, in the order recorded; `nameOf` turns coder ids into names. */
export function consentRegisterRows(
  records: readonly ConsentRecord[],
  forms: readonly ConsentForm[],
  nameOf: (coderId: string) => string,
): string[][] {
  const lang = new Map(forms.map((f) => [f.version, f.language]));
  return records.map((r) => [
    r.id,
    r.pseudonym,
    r.formVersion,
    lang.get(r.formVersion) ?? '',
    r.signedOn,
    r.signedAs,
    r.witness,
    r.notes,
    r.recordedAt,
    nameOf(r.recordedBy),
    r.withdrawal ? 'withdrawn' : 'consented',
    r.withdrawal?.at ?? '',
    r.withdrawal ? nameOf(r.withdrawal.by) : '',
    r.withdrawal?.note ?? '',
  ]);
}
