/** Coding a passage, pure (src/core/qual/coding.ts): the range, the codes (new ones while blind), the segment. */
import { describe, expect, it } from 'vitest';
import {
  type CodingContext,
  type CodingInput,
  codePassage,
  codingRange,
} from '../../../src/core/qual/coding.js';
import { transcriptName } from '../../../src/core/qual/import.js';
import { fixtureProject } from '../../fixtures/qual/project.js';

const project = fixtureProject();
const turns = project.turns.fgd1!;
const input = (over: Partial<CodingInput>): CodingInput => ({
  sourceId: 'fgd1',
  turn: '',
  start: '',
  end: '',
  codeIds: [],
  newCode: '',
  memo: '',
  ...over,
});
let n = 0;
const ctx = (over: Partial<CodingContext> = {}): CodingContext => ({
  segmentId: 'seg-new',
  coderId: 'u7',
  coderName: 'Sana',
  blind: true,
  at: '2026-01-02T10:00:00.000Z',
  newCodeId: () => `code-${++n}`,
  ...over,
});

describe('codingRange', () => {
  it('takes a whole turn’s words (after the speaker label), or the positions given', () => {
    const t = turns[1]!;
    expect(codingRange(turns, { turn: String(t.index), start: '3', end: '4' })).toEqual({
      ok: true,
      value: { start: t.contentStart, end: t.end },
    });
    expect(codingRange(turns, { turn: '', start: '3', end: '40' })).toEqual({
      ok: true,
      value: { start: 3, end: 40 },
    });
  });

  it('refuses an unknown turn and a missing or non-numeric selection, naming the fix', () => {
    const bad = codingRange(turns, { turn: '99', start: '', end: '' });
    expect(bad.ok ? '' : bad.issues[0]).toEqual({
      path: 'turn',
      code: 'unknown_turn',
      message: 'Turn 99 does not exist in this transcript.',
    });
    for (const [start, end] of [
      ['', ''],
      ['3', ''],
      ['-1', '4'],
      ['1.5', '4'],
    ] as const) {
      const r = codingRange(turns, { turn: '', start, end });
      expect(r.ok ? '' : r.issues[0]!.code).toBe('no_selection');
    }
  });
});

describe('codePassage', () => {
  it('applies the chosen codes to the passage, as the coder, with the memo', () => {
    const r = codePassage(
      project,
      turns,
      input({ start: '10', end: '20', codeIds: ['fear', 'fear'], memo: 'm' }),
      ctx(),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.value.newCode).toBeUndefined();
    expect(r.value.segment).toMatchObject({
      id: 'seg-new',
      sourceId: 'fgd1',
      start: 10,
      end: 20,
      codeIds: ['fear'],
      coderId: 'u7',
      memo: 'm',
    });
  });

  it('reuses a code of the same name (any case) and makes a new one otherwise, the coder’s own while blind', () => {
    const same = codePassage(
      project,
      turns,
      input({ start: '0', end: '5', newCode: 'fear OF failure' }),
      ctx(),
    );
    if (!same.ok) throw new Error('refused');
    expect(same.value.segment.codeIds).toEqual(['fear']);
    const made = codePassage(project, turns, input({ start: '0', end: '5', newCode: 'Guilt' }), ctx());
    if (!made.ok) throw new Error('refused');
    expect(made.value.newCode).toMatchObject({
      name: 'Guilt',
      codable: true,
      createdBy: 'u7',
      parentId: null,
    });
    expect(made.value.segment.codeIds).toEqual([made.value.newCode!.id]);
    const open = codePassage(
      project,
      turns,
      input({ start: '0', end: '5', newCode: 'Guilt' }),
      ctx({ blind: false }),
    );
    if (!open.ok) throw new Error('refused');
    expect(open.value.newCode).not.toHaveProperty('createdBy');
  });

  it('while blind does not reuse another coder’s inductive code of that name', () => {
    const withOwn = {
      ...project,
      codes: [...project.codes, { ...project.codes[2]!, id: 'theirs', name: 'Guilt', createdBy: 'u9' }],
    };
    const blind = codePassage(withOwn, turns, input({ start: '0', end: '5', newCode: 'guilt' }), ctx());
    expect(blind.ok && blind.value.newCode?.name).toBe('guilt');
    const open = codePassage(
      withOwn,
      turns,
      input({ start: '0', end: '5', newCode: 'guilt' }),
      ctx({ blind: false }),
    );
    expect(open.ok && open.value.segment.codeIds).toEqual(['theirs']);
  });

  it('refuses no codes, and a passage outside the text or an unknown code in one message', () => {
    const none = codePassage(project, turns, input({ start: '0', end: '5' }), ctx());
    expect(none.ok ? '' : none.issues[0]!.code).toBe('no_codes');
    const outside = codePassage(
      project,
      turns,
      input({ start: '0', end: '999999', codeIds: ['fear'] }),
      ctx(),
    );
    expect(outside.ok ? '' : outside.issues[0]!.code).toBe('invalid_segment');
    expect(outside.ok ? '' : outside.issues[0]!.message).toMatch(/^The segment cannot be saved: /);
    const unknown = codePassage(project, turns, input({ start: '0', end: '5', codeIds: ['nope'] }), ctx());
    expect(unknown.ok ? '' : unknown.issues[0]!.message).toMatch(/nope/);
  });
});

describe('transcriptName', () => {
  it('is the name given, else the file name without extension, else "Transcript"', () => {
    expect(transcriptName('FGD 2', 'x.docx')).toBe('FGD 2');
    expect(transcriptName('', 'Focus group.final.vtt')).toBe('Focus group.final');
    expect(transcriptName('', '')).toBe('Transcript');
  });
});
