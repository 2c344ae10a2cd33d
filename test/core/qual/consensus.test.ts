/**
 * Consensus coding (issue 10): where coders differ, and the consensus layer each decision writes.
 */
import { describe, expect, it } from 'vitest';
import {
  agreedCoding,
  CONSENSUS_CODER,
  consensusLayer,
  consensusSummary,
  disagreements,
  resolveConsensus,
} from '../../../src/core/qual/consensus.js';
import type { QualProject, Segment } from '../../../src/core/qual/model.js';
import { seg, threeCoderProject } from '../../fixtures/qual/project.js';

const project = (segments: Segment[]): QualProject =>
  threeCoderProject(segments, {
    codes: [
      { id: 'x', name: 'Workload', parentId: null, definition: '', examples: [], codable: true },
      { id: 'y', name: 'Sleep', parentId: null, definition: '', examples: [], codable: true },
      { id: 'g', name: 'Group', parentId: null, definition: '', examples: [], codable: false },
    ],
  });

describe('disagreements', () => {
  const p = project([
    seg('a1', 'A', 0, 50, ['x']),
    seg('b1', 'B', 10, 60, ['x']),
    seg('a2', 'A', 70, 80, ['x']),
    seg('b2', 'B', 70, 80, ['y']),
  ]);
  it('lists the runs where some but not all coders coded, per code, with who did and did not', () => {
    const d = disagreements(p, { coders: ['A', 'B'], codeIds: ['x', 'y'], started: new Set() });
    expect(d.map((x) => [x.codeId, x.start, x.end, x.codedBy, x.notCodedBy, x.consensus])).toEqual([
      ['x', 0, 10, ['A'], ['B'], null],
      ['x', 50, 60, ['B'], ['A'], null],
      ['x', 70, 80, ['A'], ['B'], null],
      ['y', 70, 80, ['B'], ['A'], null],
    ]);
    // Both coded 10–50: agreement, not listed. Filter by code:
    expect(disagreements(p, { coders: ['A', 'B'], codeIds: ['y'], started: new Set() })).toHaveLength(1);
    // A third coder who coded nothing makes 10–50 a disagreement too (coded by A and B, not by C).
    const three = disagreements(p, { coders: ['A', 'B', 'C'], codeIds: ['x'], started: new Set() });
    expect(three.map((x) => [x.start, x.end, x.codedBy])).toEqual([
      [0, 10, ['A']],
      [10, 50, ['A', 'B']],
      [50, 60, ['B']],
      [70, 80, ['A']],
    ]);
  });
  it('once a source is started, an uncovered passage is "not coded" by consensus', () => {
    const q = project([...p.segments, seg('c1', CONSENSUS_CODER.id, 0, 10, ['x'])]);
    const d = disagreements(q, { coders: ['A', 'B'], codeIds: ['x'], started: new Set(['s']) });
    expect(d.map((x) => x.consensus)).toEqual(['coded', 'not_coded', 'not_coded']);
    expect(consensusSummary(d)).toEqual({ total: 3, decided: 3, open: 0 });
    const partly = project([...p.segments, seg('c1', CONSENSUS_CODER.id, 0, 5, ['x'])]);
    expect(
      disagreements(partly, { coders: ['A', 'B'], codeIds: ['x'], started: new Set(['s']) })[0]!.consensus,
    ).toBe('partly');
  });
});

describe('resolveConsensus', () => {
  const base = [seg('a1', 'A', 0, 50, ['x']), seg('b1', 'B', 10, 60, ['x'])];
  const apply = (
    p: QualProject,
    add: readonly { start: number; end: number }[],
    remove: readonly Segment[],
  ) => {
    let n = p.segments.length;
    return project([
      ...p.segments.filter((s) => !remove.includes(s)),
      ...add.map((r) => seg(`c${n++}`, CONSENSUS_CODER.id, r.start, r.end, ['x'])),
    ]);
  };
  it('accept, merge, not coded and coded write the consensus ranges, cutting what crosses the range', () => {
    let p = project(base);
    const step = (
      start: number,
      end: number,
      decision: Parameters<typeof resolveConsensus>[1]['decision'],
    ) => {
      const r = resolveConsensus(p, { sourceId: 's', codeId: 'x', start, end, decision });
      if (!r.ok) throw new Error(r.issues[0]!.message);
      p = apply(p, r.value.add, r.value.remove);
      return r.value;
    };
    expect(step(0, 10, { kind: 'accept', coderId: 'A' }).after).toEqual([{ start: 0, end: 10 }]);
    expect(step(50, 60, { kind: 'accept', coderId: 'A' }).after).toEqual([{ start: 0, end: 10 }]);
    const merged = step(0, 60, { kind: 'merge', coders: ['A', 'B'] });
    expect(merged.after).toEqual([{ start: 0, end: 60 }]);
    expect(merged.remove.map((s) => [s.start, s.end])).toEqual([[0, 10]]);
    const cut = step(20, 30, { kind: 'not_coded' });
    expect(cut.after).toEqual([
      { start: 0, end: 20 },
      { start: 30, end: 60 },
    ]);
    expect(step(90, 95, { kind: 'coded' }).after).toHaveLength(3);
    // A consensus segment that already is one of the ranges is kept, not rewritten.
    const again = resolveConsensus(p, {
      sourceId: 's',
      codeId: 'x',
      start: 90,
      end: 95,
      decision: { kind: 'coded' },
    });
    expect(again.ok && again.value.add.length === 0 && again.value.remove.length === 0).toBe(true);
    // Other coders' segments are never touched.
    expect(p.segments.filter((s) => s.coderId !== CONSENSUS_CODER.id)).toEqual(base);
  });
  it('refuses with the thing and the value named', () => {
    const p = project(base);
    const r = (over: Partial<Parameters<typeof resolveConsensus>[1]>) => {
      const x = resolveConsensus(p, {
        sourceId: 's',
        codeId: 'x',
        start: 0,
        end: 10,
        decision: { kind: 'coded' },
        ...over,
      });
      return x.ok ? '' : x.issues[0]!.message;
    };
    expect(r({ end: 101 })).toMatch(/0–101 is not inside "FGD 1" \(0–100\)/);
    expect(r({ start: 10, end: 10 })).toMatch(/not inside/);
    expect(r({ codeId: 'g' })).toMatch(/"Group" is a grouping node/);
    expect(r({ codeId: 'nope' })).toMatch(/Code "nope" does not exist/);
    expect(r({ sourceId: 'nope' })).toMatch(/Transcript "nope" does not exist/);
    expect(r({ decision: { kind: 'accept', coderId: 'Z' } })).toMatch(/Coder "Z" is not a coder/);
    expect(r({ decision: { kind: 'accept', coderId: CONSENSUS_CODER.id } })).toMatch(/is not a coder/);
    expect(r({ decision: { kind: 'merge', coders: ['A'] } })).toMatch(/at least two coders/);
  });
});

describe('consensusLayer', () => {
  it('keeps only consensus segments, the consensus coder, and quotes and memos about them', () => {
    const p = project([seg('a1', 'A', 0, 50, ['x']), seg('c1', CONSENSUS_CODER.id, 0, 40, ['x'])]);
    const withTheme: QualProject = {
      ...p,
      themes: [
        {
          id: 't',
          name: 'T',
          definition: '',
          parentId: null,
          codeIds: ['x'],
          supportNeeds: [],
          quoteSegmentIds: ['a1', 'c1'],
          status: 'candidate',
          version: 1,
          signOffs: [],
          disagreements: [],
        },
      ],
      memos: [
        { id: 'm1', target: { kind: 'segment', id: 'a1' }, authorId: 'A', at: '2025-01-01', text: 'x' },
        { id: 'm2', target: { kind: 'segment', id: 'c1' }, authorId: 'A', at: '2025-01-01', text: 'y' },
      ],
    };
    const c = consensusLayer(withTheme);
    expect(c.segments.map((s) => s.id)).toEqual(['c1']);
    expect(c.coders.map((x) => x.id)).toEqual([CONSENSUS_CODER.id]);
    expect(c.themes[0]!.quoteSegmentIds).toEqual(['c1']);
    expect(c.memos.map((m) => m.id)).toEqual(['m2']);
  });
});

describe('agreedCoding', () => {
  it('seeds a consensus with what every compared coder coded alike, per code', () => {
    const p = project([
      seg('a1', 'A', 0, 50, ['x', 'y']),
      seg('b1', 'B', 10, 60, ['x']),
      seg('b2', 'B', 40, 45, ['y']),
      seg('c1', 'C', 20, 30, ['x']),
    ]);
    expect(agreedCoding(p, 's', ['A', 'B'])).toEqual([
      { codeId: 'x', ranges: [{ start: 10, end: 50 }] },
      { codeId: 'y', ranges: [{ start: 40, end: 45 }] },
    ]);
    expect(agreedCoding(p, 's', ['A', 'B', 'C'])).toEqual([
      { codeId: 'x', ranges: [{ start: 20, end: 30 }] },
    ]);
  });
});
