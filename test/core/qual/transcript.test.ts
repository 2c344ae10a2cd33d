import { describe, expect, it } from 'vitest';
import type { Participant } from '../../../src/core/qual/model.js';
import { sliceCodePoints } from '../../../src/core/qual/offsets.js';
import {
  assignPseudonyms,
  classifyLabel,
  findNames,
  importSrt,
  importText,
  importWebVtt,
  parseTimestamp,
  participantLabel,
  pseudonymizeTranscript,
  recognizeTurns,
  speakerAt,
  turnsOf,
} from '../../../src/core/qual/transcript.js';
import { ENGLISH_TRANSCRIPT, participants, URDU_TRANSCRIPT } from '../../fixtures/qual/project.js';

const meta = { id: 'src', name: 'FGD', language: 'en' };
const said = (text: string, t: { contentStart: number; end: number }) =>
  sliceCodePoints(text, t.contentStart, t.end);

describe('speaker labels', () => {
  it.each([
    ['Participant 4', 'P4', 'participant'],
    ['P4', 'P4', 'participant'],
    ['p 04', 'P4', 'participant'],
    ['Respondent #2', 'P2', 'participant'],
    ['شریک ۴', 'P4', 'participant'],
    ['Moderator', 'Moderator', 'moderator'],
    ['Facilitator', 'Moderator', 'moderator'],
    ['Moderator 2', 'Moderator 2', 'moderator'],
    ['Interviewer', 'Interviewer', 'interviewer'],
    ['I', 'Interviewer', 'interviewer'],
    ['ماڈریٹر', 'Moderator', 'moderator'],
    ['Speaker 3', 'Speaker 3', 'unknown'],
  ])('%s → %s (%s)', (label, key, role) => {
    const c = classifyLabel(label)!;
    expect(c.key).toBe(key);
    expect(c.role).toBe(role);
  });
  it('names are candidates; notes and questions are not speakers', () => {
    expect(classifyLabel('Ayesha Khan')?.kind).toBe('name');
    expect(classifyLabel('عائشہ')?.kind).toBe('name');
    expect(classifyLabel('Note')).toBeNull();
    expect(classifyLabel('Question 3')).toBeNull();
    expect(classifyLabel('well, I think')).toBeNull();
  });
  it('timestamps', () => {
    expect(parseTimestamp('00:12:03')).toBe(723);
    expect(parseTimestamp('12:03')).toBe(723);
    expect(parseTimestamp('01:00:00.500')).toBe(3600.5);
  });
});

describe('turn recognition in plain text', () => {
  const ps = participants();
  const t = importText(ENGLISH_TRANSCRIPT, meta, { participants: ps });
  const text = t.source.text;

  it('finds every turn with its speaker, timestamp and exact [start, end)', () => {
    expect(t.turns.map((x) => [x.speakerKey, x.role, x.participantId, x.time])).toEqual([
      ['Moderator', 'moderator', null, 5],
      ['P4', 'participant', 'p4', 31],
      ['P1', 'participant', 'p1', 62],
      ['P2', 'participant', 'p2', 100],
      ['Moderator', 'moderator', null, 135],
      ['P3', 'participant', 'p3', 140],
    ]);
    expect(sliceCodePoints(text, t.turns[1]!.start, t.turns[1]!.end)).toBe(
      '[00:00:31] Participant 4: The amount of material we have to study is impossible to keep up with. Every day feels like a race.',
    );
    // a two-line answer stays one turn; the trailing blank line is not part of it
    expect(said(text, t.turns[2]!)).toBe(
      "I'm so focused on grades that I've lost track of my health.\nHonestly I sleep four hours on exam weeks.",
    );
    expect(t.issues).toEqual([]);
  });

  it('the preamble before the first speaker is not a turn', () => {
    expect(t.turns[0]!.start).toBeGreaterThan(0);
    expect(sliceCodePoints(text, 0, t.turns[0]!.start)).toMatch(/^Focus group discussion/);
  });

  it('Urdu labels and digits, an emoji and CRLF kept: offsets are code points', () => {
    const u = importText(
      URDU_TRANSCRIPT,
      { ...meta, language: 'ur' },
      { participants: ps, lineEndings: 'keep' },
    );
    expect(u.source.text).toContain('\r\n');
    expect(u.turns.map((x) => x.participantId)).toEqual([null, 'p4', 'p2']);
    expect(said(u.source.text, u.turns[1]!)).toBe(
      'امتحانات کا دباؤ بہت زیادہ ہے 😔 اور sleep بالکل نہیں ہوتی۔',
    );
    // code point offsets differ from UTF-16 ones after the emoji
    const t2 = u.turns[2]!;
    expect(
      Array.from(u.source.text)
        .slice(t2.start, t2.start + 10)
        .join(''),
    ).toBe('[00:00:45]');
  });

  it('line endings are normalised to LF by default, and NFC applied', () => {
    const r = importText('\uFEFFModerator: cafe\u0301\r\nP1: ok\r\n', meta);
    expect(r.source.text).toBe('Moderator: café\nP1: ok\n');
    expect(r.turns).toHaveLength(2);
  });

  it('a name labels a turn only when it is an alias or recurs; unlinked speakers are reported', () => {
    const txt = 'Ayesha: first\nNote: the room was noisy\nBilal: hi\nAyesha: again\nYes: said once\n';
    const r = recognizeTurns(txt);
    expect(r.turns.map((x) => x.speakerKey)).toEqual(['Ayesha', 'Ayesha']);
    expect(r.issues.map((i) => i.code)).toEqual(['unlinked_speaker']);
    const withAlias: Participant[] = [{ id: 'b', pseudonym: 'P7', aliases: ['Bilal'], attributes: {} }];
    const r2 = recognizeTurns(txt, { participants: withAlias });
    expect(r2.turns.map((x) => [x.speakerKey, x.participantId])).toEqual([
      ['Ayesha', null],
      ['Bilal', 'b'],
      ['Ayesha', null],
    ]);
  });

  it('a lone "[00:12:03]" line dates the next turn; times after the label are read too', () => {
    const r = recognizeTurns('[00:10:00]\nP1: a\nP2 (00:11:30): b\n');
    expect(r.turns.map((x) => x.time)).toEqual([600, 690]);
    expect(said('[00:10:00]\nP1: a\nP2 (00:11:30): b\n', r.turns[1]!)).toBe('b');
  });

  it('"10:30" in text is not a speaker line', () => {
    const r = recognizeTurns('P1: we start at\n10:30 every day\n');
    expect(r.turns).toHaveLength(1);
    expect(said('P1: we start at\n10:30 every day\n', r.turns[0]!)).toBe('we start at\n10:30 every day');
  });

  it('reports a text without turns', () => {
    expect(recognizeTurns('just prose').issues[0]!.code).toBe('no_turns');
  });

  it('helpers: turnsOf, speakerAt', () => {
    expect(turnsOf(t.turns, 'p1')).toHaveLength(1);
    expect(speakerAt(t.turns, t.turns[3]!.contentStart + 2)).toBe('p2');
    expect(speakerAt(t.turns, 0)).toBeNull();
  });
});

describe('WebVTT and SRT', () => {
  const vtt = `WEBVTT - focus group

NOTE recorded 14 March

STYLE
::cue { color: white }

1
00:00:01.000 --> 00:00:04.000 align:start
<v Participant 4>The amount of material &amp; the exams</v>

00:00:04.000 --> 00:00:06.500
<v.loud Participant 4>are <i>impossible</i>.</v>

00:01:02.000 --> 00:01:05.000
P1: <b>I sleep</b> four hours.

00:01:05.000 --> 00:01:07.000
- Moderator: Thank you.
- <v Interviewer>Next question.
`;
  it('voices, "P1:" prefixes and dialogue dashes become turns with times', () => {
    const t = importWebVtt(vtt, meta, { participants: participants() });
    expect(t.issues).toEqual([]);
    expect(t.source.text).toBe(
      '[00:00:01] Participant 4: The amount of material & the exams are impossible.\n\n' +
        '[00:01:02] P1: I sleep four hours.\n\n' +
        '[00:01:05] Moderator: Thank you.\n\n' +
        '[00:01:05] Interviewer: Next question.',
    );
    expect(t.turns.map((x) => [x.speakerKey, x.participantId, x.time, x.endTime])).toEqual([
      ['P4', 'p4', 1, 6.5],
      ['P1', 'p1', 62, 65],
      ['Moderator', null, 65, 67],
      ['Interviewer', null, 65, 67],
    ]);
    expect(said(t.source.text, t.turns[1]!)).toBe('I sleep four hours.');
  });

  it('a missing header is reported but the cues are read', () => {
    const t = importWebVtt('00:00:01.000 --> 00:00:02.000\n<v P2>hi\n', meta);
    expect(t.issues[0]!.code).toBe('no_header');
    expect(t.turns).toHaveLength(1);
  });

  it('SRT with "P4:" prefixes, ASS tags and a continuation cue', () => {
    const srt =
      '1\r\n00:00:01,000 --> 00:00:04,000\r\nP4: hi there\r\n\r\n2\r\n00:00:04,500 --> 00:00:05,000\r\n{\\an8}<i>still me</i>\r\n\r\n3\r\n00:00:06,000 --> 00:00:07,000\r\nشریک ۲: جی ہاں 😔\r\n';
    const t = importSrt(srt, meta, { participants: participants() });
    expect(t.source.text).toBe('[00:00:01] P4: hi there still me\n\n[00:00:06] شریک ۲: جی ہاں 😔');
    expect(t.turns.map((x) => x.participantId)).toEqual(['p4', 'p2']);
    expect(said(t.source.text, t.turns[1]!)).toBe('جی ہاں 😔');
  });

  it('skips a block without timing and says so', () => {
    const t = importSrt('1\nnot a time\nhello\n\n2\n00:00:01,000 --> 00:00:02,000\nP1: ok\n', meta);
    expect(t.issues.map((i) => i.code)).toContain('not_a_cue');
    expect(t.turns).toHaveLength(1);
  });
});

describe('participants and pseudonyms', () => {
  it('assigns P1…Pn in order, or by first speaking, keeping the old pseudonym as an alias', () => {
    const ps: Participant[] = [
      { id: 'a', pseudonym: 'X', aliases: [], attributes: {} },
      { id: 'b', pseudonym: 'Y', aliases: [], attributes: {} },
    ];
    expect(assignPseudonyms(ps).map((p) => p.pseudonym)).toEqual(['P1', 'P2']);
    const turns = recognizeTurns('Y: first\nX: second\n', { participants: ps }).turns;
    const by = assignPseudonyms(ps, { turns });
    expect(by.map((p) => [p.id, p.pseudonym, p.aliases])).toEqual([
      ['a', 'P2', ['X']],
      ['b', 'P1', ['Y']],
    ]);
    expect(participantLabel({ pseudonym: 'P4' })).toBe('Participant 4');
    expect(participantLabel({ pseudonym: 'Student A' })).toBe('Student A');
  });

  it('pseudonymises name labels and names in the text, and findNames checks what is left', () => {
    const ps: Participant[] = [
      { id: 'a', pseudonym: 'P1', name: 'Ayesha', aliases: ['عائشہ'], attributes: {} },
    ];
    const raw = 'Moderator: Ayesha, go ahead.\nAyesha: I am tired.\nعائشہ: بہت\n';
    const t = importText(raw, meta, { participants: ps });
    expect(findNames(t.source.text, ps)).toHaveLength(3);
    const { transcript, replacements } = pseudonymizeTranscript(t, ps);
    expect(transcript.source.text).toBe('Moderator: P1, go ahead.\nP1: I am tired.\nP1: بہت\n');
    expect(replacements).toBe(3);
    expect(findNames(transcript.source.text, ps)).toEqual([]);
    expect(transcript.turns.map((x) => x.participantId)).toEqual([null, 'a', 'a']);
  });
});
