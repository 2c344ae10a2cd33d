/**
 * The consensus codebook (issue 10): merging codes across coders (a mapping that keeps every coding), splitting
 * a code passage by passage, the recorded agreement before consensus, and the per-turn disagreement view.
 */
import { describe, expect, it } from 'vitest';
import {
  agreementBaseline,
  codePassages,
  consensusCodebook,
  consensusCodeLabels,
  mergeCodes,
  splitCode,
  unmergeCode,
  unsplitCode,
} from '../../../src/core/qual/codebook.js';
import { compareCoders } from '../../../src/core/qual/comparison.js';
import { disagreements, turnDisagreements } from '../../../src/core/qual/consensus.js';
import { type Code, checkProject, type QualProject, type Segment } from '../../../src/core/qual/model.js';
import { seg, threeCoderProject } from '../../fixtures/qual/project.js';

const code = (id: string, name: string, extra: Partial<Code> = {}): Code => ({
  id,
  name,
  parentId: null,
  definition: '',
  examples: [],
  codable: true,
  ...extra,
});
const turns = [
  {
    index: 0,
    start: 0,
    end: 20,
    contentStart: 12,
    label: 'Moderator',
    speakerKey: 'Moderator',
    role: 'moderator',
    participantId: null,
  },
  {
    index: 1,
    start: 20,
    end: 60,
    contentStart: 24,
    label: 'P1',
    speakerKey: 'P1',
    role: 'participant',
    participantId: null,
  },
  {
    index: 2,
    start: 60,
    end: 100,
    contentStart: 64,
    label: 'P2',
    speakerKey: 'P2',
    role: 'participant',
    participantId: null,
  },
] as const;
const project = (segments: Segment[], codes: Code[] = []): QualProject =>
  threeCoderProject(segments, {
    turns: { s: [...turns] },
    codes: [
      code('fear', 'Fear of failure'),
      code('anx', 'Anxiety', { createdBy: 'B' }),
      code('worry', 'Worry', { createdBy: 'C' }),
      code('sleep', 'Sleep'),
      code('grp', 'Group', { codable: false }),
      ...codes,
    ],
    memos: [{ id: 'm1', target: { kind: 'code', id: 'anx' }, authorId: 'B', at: '2025-03-01', text: 'why' }],
    themes: [
      {
        id: 't',
        name: 'Distress',
        definition: '',
        parentId: null,
        codeIds: ['fear', 'anx'],
        supportNeeds: [],
        quoteSegmentIds: [],
        status: 'candidate',
        version: 1,
        signOffs: [],
        disagreements: [],
      },
    ],
  });

// Three coders on the same participant passages: A uses the shared "Fear of failure", B and C their own
// inductive codes for the same idea.
const three = project([
  seg('a1', 'A', 24, 40, ['fear']),
  seg('b1', 'B', 24, 40, ['anx']),
  seg('c1', 'C', 24, 40, ['worry']),
  seg('a2', 'A', 64, 80, ['fear', 'sleep']),
  seg('b2', 'B', 64, 80, ['anx']),
  seg('c2', 'C', 70, 90, ['worry']),
]);

describe('merging codes into the consensus codebook', () => {
  it('maps private codes of different coders onto one code and keeps every coding', () => {
    const r = mergeCodes(three, { codeIds: ['fear', 'anx', 'worry'], into: 'fear' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.created).toBe(false);
    expect(r.value.merged.map((c) => [c.id, c.mergedInto])).toEqual([
      ['anx', 'fear'],
      ['worry', 'fear'],
    ]);
    const merged = {
      ...three,
      codes: three.codes.map((c) => r.value.merged.find((m) => m.id === c.id) ?? c),
    };
    expect(checkProject(merged)).toEqual([]);
    const view = consensusCodebook(merged);
    expect(view.codes.map((c) => c.id)).toEqual(['fear', 'sleep', 'grp']);
    expect(view.segments.map((s) => [s.id, s.codeIds])).toEqual([
      ['a1', ['fear']],
      ['b1', ['fear']],
      ['c1', ['fear']],
      ['a2', ['fear', 'sleep']],
      ['b2', ['fear']],
      ['c2', ['fear']],
    ]);
    expect(view.themes[0]!.codeIds).toEqual(['fear']);
    expect(view.memos[0]!.target).toEqual({ kind: 'code', id: 'fear' });
    // The raw project is untouched: the coders' codings as they made them.
    expect(merged.segments.find((s) => s.id === 'b1')!.codeIds).toEqual(['anx']);
    // Before the merge the three codes never meet (α far below 0); after it the coders mostly agree.
    const alpha = (p: QualProject, codeIds: string[]) =>
      compareCoders(p, { coders: ['A', 'B', 'C'], codeIds, unit: 'character', bootstrap: false }).rows.at(-1)!
        .alpha.alpha as number;
    expect(alpha(three, ['fear', 'anx', 'worry'])).toBeLessThan(0);
    expect(alpha(view, ['fear'])).toBeGreaterThan(0.5);
    // Undo: the code is back with its codings.
    const u = unmergeCode(merged, 'anx');
    expect(u.ok && u.value.mergedInto).toBe(undefined);
  });

  it('moves codes merged earlier along when their target is merged in turn (no chains)', () => {
    const once = mergeCodes(three, { codeIds: ['anx', 'worry'], into: 'anx' });
    if (!once.ok) throw new Error('merge');
    const step1 = {
      ...three,
      codes: three.codes.map(
        (c) => once.value.merged.find((m) => m.id === c.id) ?? (c.id === 'anx' ? once.value.target : c),
      ),
    };
    const twice = mergeCodes(step1, { codeIds: ['anx', 'fear'], into: 'fear' });
    expect(twice.ok && twice.value.merged.map((c) => [c.id, c.mergedInto])).toEqual([
      ['anx', 'fear'],
      ['worry', 'fear'],
    ]);
    if (!twice.ok) return;
    const step2 = {
      ...step1,
      codes: step1.codes.map((c) => twice.value.merged.find((m) => m.id === c.id) ?? c),
    };
    expect(checkProject(step2)).toEqual([]);
    expect(consensusCodebook(step2).codes.map((c) => c.id)).toEqual(['fear', 'sleep', 'grp']);
  });

  it('merges into a new code, which takes the first code’s place and is nobody’s private code', () => {
    const r = mergeCodes(three, { codeIds: ['anx', 'worry'], into: { id: 'distress', name: 'Distress' } });
    expect(r.ok && r.value.target).toMatchObject({ id: 'distress', name: 'Distress', parentId: null });
    expect(r.ok && r.value.target.createdBy).toBe(undefined);
    // An existing private code as the target becomes shared (no createdBy).
    const s = mergeCodes(three, { codeIds: ['anx', 'worry'], into: 'anx' });
    expect(s.ok && s.value.target.createdBy).toBe(undefined);
  });

  it('refuses what cannot be merged, naming the code and what to do', () => {
    const msg = (r: ReturnType<typeof mergeCodes>) => (r.ok ? '' : r.issues[0]!.message);
    expect(msg(mergeCodes(three, { codeIds: ['fear', 'nope'], into: 'fear' }))).toBe(
      'Code "nope" does not exist (any more); reload the page.',
    );
    expect(msg(mergeCodes(three, { codeIds: ['grp', 'fear'], into: 'fear' }))).toContain(
      '"Group" is a grouping node',
    );
    expect(msg(mergeCodes(three, { codeIds: ['fear'], into: 'fear' }))).toContain('at least two codes');
    expect(msg(mergeCodes(three, { codeIds: ['anx', 'worry'], into: { id: 'n', name: 'Sleep' } }))).toBe(
      'A code named "Sleep" already exists there; merge into it instead.',
    );
    const once = mergeCodes(three, { codeIds: ['anx', 'worry'], into: 'fear' });
    if (!once.ok) throw new Error('merge');
    const merged = {
      ...three,
      codes: three.codes.map((c) => once.value.merged.find((m) => m.id === c.id) ?? c),
    };
    expect(msg(mergeCodes(merged, { codeIds: ['anx', 'sleep'], into: 'sleep' }))).toBe(
      '"Anxiety" is already merged into "Fear of failure"; merge that code instead.',
    );
    const nested = project([], [code('sub', 'Sub', { parentId: 'sleep' })]);
    expect(msg(mergeCodes(nested, { codeIds: ['sleep', 'sub'], into: 'sub' }))).toContain(
      '"Sub" is a sub-code of "Sleep"',
    );
    expect(
      checkProject({ ...three, codes: [...three.codes, code('z', 'Z', { mergedInto: 'grp' })] })[0],
    ).toMatchObject({
      code: 'bad_merge',
      message: 'code "Z" is merged into "Group", which is a grouping node',
    });
  });
});

describe('a segment’s codes as the coding page lists them', () => {
  it('names the consensus target once, with the merged codes the coder applied', () => {
    const codes = [
      code('fear', 'Fear of failure'),
      code('anx', 'Anxiety', { mergedInto: 'fear' }),
      code('worry', 'Worry', { mergedInto: 'anx' }),
      code('sleep', 'Sleep'),
    ];
    const labels = consensusCodeLabels(codes);
    expect(labels(['worry', 'sleep', 'anx', 'fear', 'worry'])).toEqual([
      { id: 'fear', name: 'Fear of failure', mergedFrom: ['Worry', 'Anxiety'] },
      { id: 'sleep', name: 'Sleep', mergedFrom: [] },
    ]);
    expect(labels(['fear'])).toEqual([{ id: 'fear', name: 'Fear of failure', mergedFrom: [] }]);
    // nothing merged: the codes as applied
    expect(consensusCodeLabels([code('a', 'A'), code('b', 'B')])(['b', 'a'])).toEqual([
      { id: 'b', name: 'B', mergedFrom: [] },
      { id: 'a', name: 'A', mergedFrom: [] },
    ]);
  });
});

describe('splitting a code passage by passage', () => {
  const p = project([
    seg('a1', 'A', 24, 40, ['fear']),
    seg('b1', 'B', 30, 45, ['fear', 'sleep']),
    seg('a2', 'A', 64, 80, ['fear']),
    seg('k1', 'consensus', 64, 80, ['fear']),
    seg('c3', 'C', 90, 95, ['sleep']),
  ]);

  it('lists the passages: maximal runs any coder or the consensus coded, with their segments', () => {
    expect(codePassages(p, 'fear').map((x) => [x.key, x.segmentIds, x.coders])).toEqual([
      ['s:24-45', ['a1', 'b1'], ['A', 'B']],
      ['s:64-80', ['a2', 'k1'], ['A', 'consensus']],
    ]);
  });

  it('moves the chosen passages (every coder’s and the consensus’s segments) to a new code', () => {
    const r = splitCode(p, { codeId: 'fear', newCode: { id: 'exam', name: 'Exam fear' }, move: ['s:64-80'] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.code).toMatchObject({ id: 'exam', name: 'Exam fear', parentId: null });
    expect(r.value.segments.map((s) => [s.id, s.codeIds])).toEqual([
      ['a2', ['exam']],
      ['k1', ['exam']],
    ]);
    expect(r.value.kept.map((x) => x.key)).toEqual(['s:24-45']);
  });

  it('moves codings of codes merged into the split code too', () => {
    const q = project([seg('a1', 'A', 24, 40, ['fear']), seg('b1', 'B', 64, 80, ['anx', 'sleep'])]);
    const merged = {
      ...q,
      codes: q.codes.map((c) => (c.id === 'anx' ? { ...c, mergedInto: 'fear' } : c)),
    };
    const r = splitCode(merged, { codeId: 'fear', newCode: { id: 'e', name: 'Exam' }, move: ['s:64-80'] });
    expect(r.ok && r.value.segments.map((s) => s.codeIds)).toEqual([['e', 'sleep']]);
  });

  it('refuses a stale passage, an empty or total split, and a taken name', () => {
    const msg = (move: string[], name = 'Exam fear') => {
      const r = splitCode(p, { codeId: 'fear', newCode: { id: 'exam', name }, move });
      return r.ok ? '' : r.issues[0]!.message;
    };
    expect(msg(['s:24-40'])).toBe(
      '"s:24-40" is not a passage of "Fear of failure" (the coding changed since the page was loaded); reload the page and choose again.',
    );
    expect(msg([])).toBe('Choose the passages of "Fear of failure" that go to the new code.');
    expect(msg(['s:24-45', 's:64-80'])).toContain('rename the code instead');
    expect(msg(['s:64-80'], 'sleep')).toBe('A code named "sleep" already exists there; choose another name.');
  });

  it('is undone: the passages go back and the new code goes; refused while later steps depend on it', () => {
    const r = splitCode(p, { codeId: 'fear', newCode: { id: 'exam', name: 'Exam fear' }, move: ['s:64-80'] });
    if (!r.ok) throw new Error('split refused');
    expect(r.value.code.splitFrom).toBe('fear');
    const byId = new Map(r.value.segments.map((s) => [s.id, s]));
    const after: QualProject = {
      ...p,
      codes: [...p.codes, r.value.code],
      segments: p.segments.map((s) => byId.get(s.id) ?? s),
    };
    expect(checkProject(after)).toEqual([]);
    const u = unsplitCode(after, 'exam');
    if (!u.ok) throw new Error(u.issues[0]!.message);
    expect([u.value.code.id, u.value.into.id]).toEqual(['exam', 'fear']);
    expect(u.value.segments.map((s) => [s.id, s.codeIds])).toEqual([
      ['a2', ['fear']],
      ['k1', ['fear']],
    ]);
    const why = (q: QualProject, id = 'exam') => {
      const x = unsplitCode(q, id);
      return x.ok ? '' : x.issues[0]!.message;
    };
    expect(why(after, 'fear')).toBe(
      '"Fear of failure" was not made by splitting another code; there is no split to undo.',
    );
    const themed: QualProject = {
      ...after,
      themes: after.themes.map((t, i) => (i === 0 ? { ...t, codeIds: [...t.codeIds, 'exam'] } : t)),
      codes: [
        ...after.codes.map((c) => (c.id === 'anx' ? { ...c, mergedInto: 'exam' } : c)),
        code('sub', 'Sub-exam', { parentId: 'exam' }),
      ],
    };
    expect(why(themed)).toBe(
      `The split of "Fear of failure" into "Exam fear" cannot be undone: later steps depend on it ("Anxiety" merged into it; sub-code(s) "Sub-exam"; theme(s) "${after.themes[0]!.name}" linking it). Undo those first.`,
    );
    const gone: QualProject = { ...after, codes: after.codes.filter((c) => c.id !== 'fear') };
    expect(why(gone)).toContain('was split from a code that has since been deleted');
  });
});

describe('the agreement before consensus', () => {
  it('is the pooled α (and κ for two coders) among the coders who coded, over the codes they used', () => {
    const b = agreementBaseline(three, '2025-03-01T10:00:00Z');
    const direct = compareCoders(three, {
      coders: ['A', 'B', 'C'],
      codeIds: ['fear', 'sleep', 'anx', 'worry'],
      unit: 'character',
      bootstrap: false,
    }).rows.at(-1)!;
    expect(b).toEqual({
      at: '2025-03-01T10:00:00Z',
      coders: ['A', 'B', 'C'],
      codes: 4,
      units: direct.alpha.denominator.units,
      alpha: direct.alpha.alpha,
    });
    const two = agreementBaseline(
      { ...three, segments: three.segments.filter((s) => s.coderId !== 'C') },
      'x',
    );
    expect(two?.kappa).toBeTypeOf('number');
    expect(agreementBaseline(project([seg('a1', 'A', 0, 5, ['fear'])]), 'x')).toBeNull();
  });
});

describe('disagreements per speaker turn', () => {
  const p = project([
    seg('a0', 'A', 0, 10, ['fear']), // moderator turn, A only
    seg('a1', 'A', 24, 40, ['fear']),
    seg('b1', 'B', 30, 35, ['fear']),
    seg('c1', 'C', 50, 58, ['fear']), // P1, same code: coded alike at the turn level
    seg('a2', 'A', 64, 70, ['fear']),
    seg('b2', 'B', 59, 66, ['sleep']), // crosses into P2 by 6 characters
    seg('k', 'consensus', 64, 70, ['fear']),
  ]);
  it('shows, per turn, each coder’s codes and the ones they differ on', () => {
    const t = turnDisagreements(p, {
      coders: ['A', 'B', 'C'],
      codeIds: ['fear', 'sleep'],
      started: new Set(['s']),
    });
    expect(
      t.map((x) => [x.turnIndex, x.speakerKey, x.byCoder.map((c) => c.codeIds), x.differing, x.consensus]),
    ).toEqual([
      [0, 'Moderator', [['fear'], [], []], ['fear'], []],
      [1, 'P1', [['fear'], ['fear', 'sleep'], ['fear']], ['sleep'], []],
      [2, 'P2', [['fear'], ['sleep'], []], ['fear', 'sleep'], ['fear']],
    ]);
    // Filter by code and by coders: A and C agree on "Fear of failure" in P1.
    expect(
      turnDisagreements(p, { coders: ['A', 'C'], codeIds: ['fear'], started: new Set() }).map((x) => [
        x.turnIndex,
        x.consensus,
      ]),
    ).toEqual([
      [0, null],
      [2, null],
    ]);
    // The passage view of the same coding lists character runs instead.
    expect(disagreements(p, { coders: ['A', 'C'], codeIds: ['fear'], started: new Set() }).length).toBe(4);
  });
});
