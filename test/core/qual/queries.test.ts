/**
 * The qualitative queries (src/core/qual/queries.ts) on a three-person transcript counted by hand:
 *   P1 (Female): "burnout burnout exams"   — one segment coded A and B
 *   P2 (Male):   "exams sleep"             — one segment coded A
 *   P3 (Female): "sleep and exams"         — one segment coded B
 * A → {P1, P2}; B → {P1, P3}; A and B overlap only in P1's turn.
 */
import { describe, expect, it } from 'vitest';
import type { Participant, QualProject } from '../../../src/core/qual/model.js';
import {
  attributeMatrix,
  cooccurrence,
  participantsByCode,
  participantsOf,
  wordFrequency,
  words,
} from '../../../src/core/qual/queries.js';
import { importText } from '../../../src/core/qual/transcript.js';
import { cpRange } from '../../fixtures/qual/project.js';

const TEXT = 'P1: burnout burnout exams\n\nP2: exams sleep\n\nP3: sleep and exams\n';

function project(): QualProject {
  const person = (n: number, gender: string): Participant => ({
    id: `p${n}`,
    pseudonym: `P${n}`,
    name: `Person ${n}`,
    aliases: [],
    attributes: { gender },
    screening: { scores: {}, eligible: true },
  });
  const participants = [person(1, 'Female'), person(2, 'Male'), person(3, 'Female')];
  const t = importText(
    TEXT,
    { id: 's1', name: 'FGD', language: 'en', createdAt: '2025-01-01' },
    { participants },
  );
  const text = t.source.text;
  const seg = (id: string, needle: string, codeIds: string[]) => ({
    id,
    sourceId: 's1',
    ...cpRange(text, needle),
    codeIds,
    coderId: 'r1',
  });
  const code = (id: string) => ({
    id,
    name: id.toUpperCase(),
    parentId: null,
    definition: '',
    examples: [],
    codable: true,
  });
  return {
    id: 'q',
    name: 'Queries',
    description: '',
    createdAt: '2025-01-01T00:00:00Z',
    sources: [t.source],
    turns: { s1: [...t.turns] },
    participants,
    coders: [{ id: 'r1', name: 'R1' }],
    codes: [code('a'), code('b')],
    segments: [
      seg('g1', 'burnout burnout exams', ['a', 'b']),
      seg('g2', 'exams sleep', ['a']),
      seg('g3', 'sleep and exams', ['b']),
    ],
    memos: [],
    themes: [],
  } as unknown as QualProject;
}

describe('qualitative queries', () => {
  const p = project();

  it('counts the participants whose turns a code overlaps', () => {
    expect(p.turns.s1!.map((t) => t.participantId)).toEqual(['p1', 'p2', 'p3']);
    const byCode = participantsByCode(p);
    expect([...byCode.get('a')!].sort()).toEqual(['p1', 'p2']);
    expect([...byCode.get('b')!].sort()).toEqual(['p1', 'p3']);
    expect(participantsOf({ start: 0, end: TEXT.length }, p.turns.s1!)).toEqual(['p1', 'p2', 'p3']);
  });

  it('builds the code × attribute matrix, exact for k = 0', () => {
    const m = attributeMatrix(p, 'gender', 0);
    expect(m.values).toEqual([
      { value: 'Female', participants: 2 },
      { value: 'Male', participants: 1 },
    ]);
    expect(m.hiddenValues).toBe(0);
    expect(m.rows.map((r) => [r.path, ...r.cells.map((c) => (c.suppressed ? '<k' : c.n))])).toEqual([
      ['A', 1, 1],
      ['B', 2, 0],
    ]);
  });

  it('names no attribute value held by fewer than k participants, and suppresses small counts', () => {
    const m = attributeMatrix(p, 'gender', 2);
    // Male (1 participant) is small; hiding it alone would reveal it as total − Female, so Female goes too.
    expect(m.values).toEqual([]);
    expect(m.hiddenValues).toBe(2);
    const missing = attributeMatrix(p, 'year', 0);
    expect(missing.values).toEqual([{ value: '(missing)', participants: 3 }]);
    expect(missing.rows.map((r) => r.cells)).toEqual([
      [{ suppressed: false, n: 2 }],
      [{ suppressed: false, n: 2 }],
    ]);
    const protectedMissing = attributeMatrix(p, 'year', 3);
    expect(protectedMissing.rows.map((r) => r.cells)).toEqual([
      [{ suppressed: true }],
      [{ suppressed: true }],
    ]);
  });

  it('counts co-occurrence symmetrically, with no diagonal', () => {
    const exact = cooccurrence(p, 0);
    expect(exact.codes.map((c) => c.id)).toEqual(['a', 'b']);
    expect(exact.cells).toEqual([
      [null, { suppressed: false, n: 1 }],
      [{ suppressed: false, n: 1 }, null],
    ]);
    expect(cooccurrence(p, 2).cells[0]![1]).toEqual({ suppressed: true });
  });

  it('counts words in participants’ turns, without stop words, hiding words too few people used', () => {
    expect(wordFrequency(p, 0)).toEqual({
      shown: [
        { word: 'exams', times: 3, participants: 3 },
        { word: 'burnout', times: 2, participants: 1 },
        { word: 'sleep', times: 2, participants: 2 },
      ],
      hidden: 0,
    });
    expect(wordFrequency(p, 2)).toEqual({
      shown: [
        { word: 'exams', times: 3, participants: 3 },
        { word: 'sleep', times: 2, participants: 2 },
      ],
      hidden: 1,
    });
    expect(wordFrequency(p, 0, 1).shown).toHaveLength(1);
    expect(words("Don't STOP—it’s ok-")).toEqual(["don't", 'stop', 'it’s', 'ok']);
  });
});
