/**
 * Transcript import, pure: the format of pasted text or a file, importing its text in any supported format
 * (plain text with speaker labels, WebVTT, SRT, the paragraphs of a .docx), participants for speakers the
 * project does not know yet, and pseudonymisation. The server reads the bytes (src/server/qual/sources.ts).
 */
import type { Participant, Turn } from './model.js';
import {
  carryTimes,
  classifyLabel,
  importSrt,
  importText,
  importWebVtt,
  pseudonymizeTranscript,
  recognizeTurns,
  type Transcript,
} from './transcript.js';

export type TranscriptFormat = 'txt' | 'vtt' | 'srt' | 'docx';

/** Guess the format of pasted text or a file name. */
export function guessFormat(text: string, fileName = ''): TranscriptFormat {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  if (ext === 'docx' || ext === 'vtt' || ext === 'srt' || ext === 'txt') return ext;
  if (/^\uFEFF?WEBVTT/.test(text)) return 'vtt';
  if (/^\uFEFF?\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->/.test(text)) return 'srt';
  return 'txt';
}

/** A transcript's name: the one given, else the file's name without its extension, else "Transcript". */
export function transcriptName(given: string, fileName = ''): string {
  return given || fileName.replace(/\.[a-z0-9]+$/i, '') || 'Transcript';
}

/** Import a transcript's text (from {@link transcriptText}) in any supported format. */
function importTranscript(
  format: TranscriptFormat,
  content: { text: string; problems?: readonly string[] },
  meta: { id: string; name: string; language: string; createdAt: string },
  participants: readonly Participant[],
): Transcript {
  const opts = { participants };
  if (format === 'vtt') return importWebVtt(content.text, meta, opts);
  if (format === 'srt') return importSrt(content.text, meta, opts);
  const t = importText(content.text, meta, opts);
  const problems = content.problems ?? [];
  if (!problems.length) return t;
  return {
    ...t,
    issues: [...problems.map((m) => ({ path: 'docx', code: 'docx', message: m })), ...t.issues],
  };
}

/**
 * Participants for speakers the transcript names but the project does not know yet: "P4"/"Participant 4"
 * becomes P4; a name label becomes the next free pseudonym, with the name kept as the confidential `name`.
 */
export function newParticipantsFor(
  turns: readonly Turn[],
  existing: readonly Participant[],
  newId: (prefix: string) => string,
): Participant[] {
  const out: Participant[] = [];
  const pseudonyms = new Set(existing.map((p) => p.pseudonym));
  const ids = new Set(existing.map((p) => p.id));
  const seen = new Set<string>();
  let next = 1;
  const freePseudonym = () => {
    while (pseudonyms.has(`P${next}`)) next++;
    return `P${next}`;
  };
  for (const t of turns) {
    if (t.participantId !== null || seen.has(t.speakerKey)) continue;
    const c = classifyLabel(t.label);
    if (!c) continue;
    seen.add(t.speakerKey);
    if (c.kind === 'numbered') {
      if (pseudonyms.has(c.key)) continue;
      const id = ids.has(c.key.toLowerCase()) ? newId('p') : c.key.toLowerCase();
      out.push({ id, pseudonym: c.key, aliases: [], attributes: {} });
      pseudonyms.add(c.key);
      ids.add(id);
    } else if (c.kind === 'name') {
      const pseudonym = freePseudonym();
      pseudonyms.add(pseudonym);
      const id = ids.has(pseudonym.toLowerCase()) ? newId('p') : pseudonym.toLowerCase();
      ids.add(id);
      out.push({ id, pseudonym, name: c.label, aliases: [c.label], attributes: {} });
    }
  }
  return out;
}

/** What importing a transcript into a project makes: the transcript, new participants, names replaced. */
interface PreparedImport {
  readonly transcript: Transcript;
  readonly added: readonly Participant[];
  readonly replacements: number;
}

/**
 * Import a transcript into a project with `existing` participants: with `autoParticipants`, speakers it names
 * but the project does not know become participants (and the turns are linked again); with `pseudonymize`,
 * participants' names and aliases in the text are replaced by their pseudonyms.
 */
export function prepareImport(
  format: TranscriptFormat,
  content: { text: string; problems?: readonly string[] },
  meta: { id: string; name: string; language: string; createdAt: string },
  existing: readonly Participant[],
  options: { autoParticipants: boolean; pseudonymize: boolean; newId: (prefix: string) => string },
): PreparedImport {
  let t = importTranscript(format, content, meta, existing);
  const added = options.autoParticipants ? newParticipantsFor(t.turns, existing, options.newId) : [];
  const all = [...existing, ...added];
  if (added.length) {
    const r = recognizeTurns(t.source.text, { participants: all });
    t = {
      ...t,
      turns: carryTimes(t.turns, r.turns),
      issues: [...t.issues.filter((i) => i.code !== 'unlinked_speaker'), ...r.issues],
    };
  }
  let replacements = 0;
  if (options.pseudonymize && all.some((p) => p.name !== undefined || p.aliases.length)) {
    const r = pseudonymizeTranscript(t, all);
    replacements = r.replacements;
    t = {
      ...r.transcript,
      issues: [...t.issues.filter((i) => i.code !== 'unlinked_speaker'), ...r.transcript.issues],
    };
  }
  return { transcript: t, added, replacements };
}
