/** Member checking, pure (src/core/qual/members.ts): packets, and corrections as tracked edits. */
import { describe, expect, it } from 'vitest';
import {
  locateCorrection,
  type MemberCheckStep,
  nextMemberCheck,
  packetContent,
  shiftPosition,
  shiftRange,
  shiftTurns,
} from '../../../src/core/qual/members.js';
import { OffsetIndex } from '../../../src/core/qual/offsets.js';
import { quoteCandidates } from '../../../src/core/qual/results.js';
import { fixtureProject } from '../../fixtures/qual/project.js';

describe('member-checking packets', () => {
  const project = fixtureProject();

  it('hold only the participant’s own turns, in transcript order', () => {
    const p = packetContent(project, 'p2')!;
    expect(p.participant.pseudonym).toBe('P2');
    const own = Object.values(project.turns)
      .flat()
      .filter((t) => t.participantId === 'p2');
    expect(p.items).toHaveLength(own.length);
    expect(p.items[0]!.text).toBe(
      "I'm terrified of failing. If I don't get the top grades I feel I'm letting my family down.",
    );
    expect(packetContent(project, 'nobody')).toBeNull();
  });

  it('have a version text of words only: an edit elsewhere in the transcript leaves it unchanged', () => {
    const before = packetContent(project, 'p2')!.versionText;
    expect(JSON.parse(before)).toMatchObject({ participant: 'P2' });
    expect(before).not.toMatch(/start|end/);
    // P1 corrects a word in their own turn, which comes before P2's: P2's turns move, their words do not.
    const src = project.sources[0]!;
    const turn = project.turns[src.id]!.find((t) => t.participantId === 'p1')!;
    const r = locateCorrection(src.text, turn, 'four hours', 'five hours');
    if (!r.ok) throw new Error(r.message);
    const edited = {
      ...project,
      sources: [{ ...src, text: r.edit.text }, ...project.sources.slice(1)],
      turns: { ...project.turns, [src.id]: shiftTurns(project.turns[src.id]!, r.edit) },
    };
    expect(packetContent(edited, 'p2')!.versionText).toBe(before);
    expect(packetContent(edited, 'p1')!.versionText).not.toBe(packetContent(project, 'p1')!.versionText);
    expect(packetContent(edited, 'p1')!.items[0]!.text).toContain('five hours');
  });
});

describe('corrections', () => {
  const project = fixtureProject();
  const src = project.sources[0]!;
  const p1 = project.turns[src.id]!.find((t) => t.participantId === 'p1')!;

  it('locate the words in the turn and replace them, counting code points', () => {
    const r = locateCorrection(src.text, p1, 'grades', 'marks and grades');
    if (!r.ok) throw new Error(r.message);
    const idx = new OffsetIndex(src.text);
    expect(idx.slice(r.edit.start, r.edit.end)).toBe('grades');
    expect(r.edit.length).toBe('marks and grades'.length);
    expect(r.edit.text).toBe(src.text.replace('focused on grades', 'focused on marks and grades'));
  });

  it('refuse words that are absent from the turn or not unique in it', () => {
    expect(locateCorrection(src.text, p1, 'mentor', 'x')).toEqual({
      ok: false,
      message: '"mentor" does not occur in that turn; copy the words exactly as the packet shows them.',
    });
    const twice = locateCorrection(src.text, p1, 'I', 'x');
    expect(twice.ok).toBe(false);
    if (!twice.ok) expect(twice.message).toContain('occurs more than once in that turn');
  });

  it('move positions after the edit, keep those before, and squeeze those inside', () => {
    // replace [10, 15) by 2 code points
    expect(shiftPosition(5, 10, 15, 2, 'start')).toBe(5);
    expect(shiftPosition(20, 10, 15, 2, 'start')).toBe(17);
    expect(shiftPosition(12, 10, 15, 2, 'start')).toBe(10);
    expect(shiftPosition(12, 10, 15, 2, 'end')).toBe(12);
    const edit = { start: 10, end: 15, length: 2, text: '' };
    expect(shiftRange({ start: 0, end: 10 }, edit)).toBe('unchanged');
    expect(shiftRange({ start: 20, end: 30 }, edit)).toEqual({ start: 17, end: 27 });
    expect(shiftRange({ start: 11, end: 14 }, edit)).toEqual({ start: 10, end: 12 }); // inside → around the new words
    expect(shiftRange({ start: 11, end: 14 }, { ...edit, length: 0 })).toBe('removed');
  });
});

describe('quote candidates of a theme', () => {
  it('gives one entry per passage, naming every coder, preferring the segment already quoted', () => {
    const base = fixtureProject();
    const s4 = base.segments.find((s) => s.id === 's4')!;
    // A second coder codes exactly the same passage as s4.
    const twin = { ...s4, id: 's4b', coderId: 'r1', codeIds: ['fear'] };
    const project = { ...base, segments: [...base.segments, twin] };
    const theme = { codeIds: ['fear'], quoteSegmentIds: ['s4b'] };
    const c = quoteCandidates(project, theme);
    const passage = c.find((x) => x.segment.start === s4.start && x.segment.end === s4.end)!;
    expect(passage.coders).toEqual(['r2', 'r1']);
    expect(passage.segment.id).toBe('s4b');
    const same = (x: (typeof c)[number]) =>
      x.segment.sourceId === s4.sourceId && x.segment.start === s4.start && x.segment.end === s4.end;
    expect(c.filter(same)).toHaveLength(1);
    expect(c.every((x) => x.segment.codeIds.includes('fear') || x.segment.id === 's4b')).toBe(true);
    expect(quoteCandidates(project, { codeIds: [], quoteSegmentIds: [] })).toEqual([]);
  });
});

describe('member-check status (nextMemberCheck)', () => {
  const hashA = 'a'.repeat(64);
  const hashB = 'b'.repeat(64);
  const step = (over: Partial<MemberCheckStep>): MemberCheckStep => ({
    to: 'sent',
    language: 'en',
    note: '',
    pseudonym: 'P4',
    packetHash: hashA,
    hasCorrections: false,
    by: 'u1',
    at: '2026-01-02T10:00:00.000Z',
    ...over,
  });

  it('starts at "not sent": only sending is allowed, and it records the packet’s version hash', () => {
    const early = nextMemberCheck('p4', undefined, step({ to: 'returned' }));
    expect(early.ok).toBe(false);
    if (!early.ok) {
      expect(early.issues[0]!.code).toBe('status_order');
      expect(early.issues[0]!.message).toBe(
        'P4\'s packet is "not sent"; it can become "returned" only from "sent".',
      );
    }
    const sent = nextMemberCheck('p4', undefined, step({ language: 'ur', note: 'by hand' }));
    if (!sent.ok) throw new Error('refused');
    expect(sent.value).toEqual({
      participantId: 'p4',
      language: 'ur',
      status: 'sent',
      versionHash: hashA,
      history: [
        { status: 'sent', at: '2026-01-02T10:00:00.000Z', by: 'u1', versionHash: hashA, note: 'by hand' },
      ],
    });
  });

  it('keeps the version sent through later steps, and a resend records the new version', () => {
    const sent = nextMemberCheck('p4', undefined, step({}));
    if (!sent.ok) throw new Error('refused');
    const back = nextMemberCheck('p4', sent.value, step({ to: 'returned', packetHash: hashB }));
    if (!back.ok) throw new Error('refused');
    expect(back.value.versionHash).toBe(hashA);
    expect(back.value.history.map((h) => h.status)).toEqual(['sent', 'returned']);
    expect(back.value.history[1]).not.toHaveProperty('note');
    const again = nextMemberCheck('p4', back.value, step({ packetHash: hashB }));
    if (!again.ok) throw new Error('refused');
    expect(again.value.versionHash).toBe(hashB);
  });

  it('marks a packet corrected only once corrections are recorded; approves from returned or corrected', () => {
    const sent = nextMemberCheck('p4', undefined, step({}));
    if (!sent.ok) throw new Error('refused');
    const back = nextMemberCheck('p4', sent.value, step({ to: 'returned' }));
    if (!back.ok) throw new Error('refused');
    const noCorr = nextMemberCheck('p4', back.value, step({ to: 'corrected' }));
    expect(noCorr.ok ? 'saved' : noCorr.issues[0]!.code).toBe('corrections_first');
    const corrected = nextMemberCheck('p4', back.value, step({ to: 'corrected', hasCorrections: true }));
    if (!corrected.ok) throw new Error('refused');
    expect(nextMemberCheck('p4', corrected.value, step({ to: 'approved' })).ok).toBe(true);
    expect(nextMemberCheck('p4', back.value, step({ to: 'approved' })).ok).toBe(true);
    const fromSent = nextMemberCheck('p4', sent.value, step({ to: 'approved' }));
    expect(fromSent.ok ? 'saved' : fromSent.issues[0]!.message).toBe(
      'P4\'s packet is "sent"; it can become "approved" only from "returned" or "corrected".',
    );
  });
});
