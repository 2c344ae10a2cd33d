/**
 * The launch checklist (issue 14): what the owner confirms before a study opens to respondents. The server's
 * launch check (server/studio/definition.ts `launchCheck`, which needs the instrument library) finds the
 * problems that block a launch and the warnings that do not; this groups them into one line per concern, each
 * done, unverified (a warning: launching is allowed after confirmation) or blocking, and adds the check of the
 * public address the respondent link and QR code are built from.
 */
import type { Issue } from '../issue.js';

type ChecklistStatus = 'done' | 'unverified' | 'blocking';

export interface ChecklistItem {
  readonly key: string;
  readonly label: string;
  readonly status: ChecklistStatus;
  /** What is wrong or unverified, each a sentence naming the thing and the fix (empty when done). */
  readonly details: readonly string[];
}

export interface LaunchChecklist {
  readonly items: readonly ChecklistItem[];
  /** Whether the study may launch (no blocking item). */
  readonly canLaunch: boolean;
  /** How many items are unverified: the owner confirms launching with them. */
  readonly unverified: number;
}

/** The warning codes of the launch check, by checklist line. */
const WARNING_CODES = {
  wording: ['unverified_wording'],
  stems: ['missing_stem'],
  consent: ['no_consent'],
  translations: ['missing_translation'],
} as const;

/** Hosts a phone cannot reach: the machine itself or a name that only means something on it. */
function isLocalHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === '0.0.0.0' ||
    h === '::' ||
    h === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(h)
  );
}

/**
 * The problem with the public address respondents are sent to, if any: a localhost address works on this
 * computer only, so a shared link or printed QR code would open nothing on a respondent's phone.
 */
export function publicAddressIssue(publicUrl: string): Issue | undefined {
  let host: string;
  try {
    host = new URL(publicUrl).hostname;
  } catch {
    return {
      path: 'publicUrl',
      code: 'invalid_url',
      message: `the public address "${publicUrl}" is not a URL: start the server with --public-url https://your.domain (or NABZ_PUBLIC_URL)`,
    };
  }
  if (!isLocalHost(host)) return undefined;
  return {
    path: 'publicUrl',
    code: 'localhost_url',
    message: `the public address is ${publicUrl}: the study link and QR code point at this computer, so respondents' phones cannot open them. Start the server with --public-url https://your.domain (or set NABZ_PUBLIC_URL) before sharing the link.`,
  };
}

function line(
  key: string,
  label: string,
  blocking: readonly Issue[],
  warnings: readonly Issue[],
): ChecklistItem {
  return {
    key,
    label,
    status: blocking.length ? 'blocking' : warnings.length ? 'unverified' : 'done',
    details: [...blocking, ...warnings].map((i) => i.message),
  };
}

/**
 * The checklist of a launch: the launch check's problems (blocking) and warnings (unverified), grouped, and
 * the public address. Every problem and warning appears on exactly one line.
 */
export function launchChecklist(input: {
  readonly problems: readonly Issue[];
  readonly warnings: readonly Issue[];
  readonly publicUrl: string;
}): LaunchChecklist {
  const taken = new Set<Issue>();
  const pick = (codes: readonly string[]) => {
    const found = input.warnings.filter((w) => codes.includes(w.code));
    for (const w of found) taken.add(w);
    return found;
  };
  const wording = pick(WARNING_CODES.wording);
  const stems = pick(WARNING_CODES.stems);
  const consent = pick(WARNING_CODES.consent);
  const translations = pick(WARNING_CODES.translations);
  const other = input.warnings.filter((w) => !taken.has(w));
  const address = publicAddressIssue(input.publicUrl);
  const items: ChecklistItem[] = [
    line(
      'ready',
      'Everything a launch needs (instruments, questions, terms, support contacts, text)',
      input.problems,
      [],
    ),
    line('wording', 'Item wording checked against the official forms', [], wording),
    line('stems', 'Instructions (stem) for every instrument', [], stems),
    line('consent', 'Consent text', [], consent),
    line('translations', 'Wording in every language of the study', [], [...translations, ...other]),
    line('address', 'A public address respondents can reach', [], address ? [address] : []),
  ];
  return {
    items,
    canLaunch: input.problems.length === 0,
    unverified: items.filter((i) => i.status === 'unverified').length,
  };
}
