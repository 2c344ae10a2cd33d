import { describe, expect, it } from 'vitest';
import {
  addPhaseMemo,
  BRAUN_CLARKE_PHASES,
  codePath,
  codesInTreeOrder,
  codeTree,
  createSegment,
  descendantCodeIds,
  editTheme,
  parseQualProject,
  phaseTimeline,
  raiseDisagreement,
  resolveDisagreement,
  segmentText,
  setThemeStatus,
  signOffTheme,
  type Theme,
  themeReadiness,
} from '../../../src/core/qual/model.js';
import { fixtureProject } from '../../fixtures/qual/project.js';

const ok = <T>(r: { ok: true; value: T } | { ok: false; issues: readonly { message: string }[] }): T => {
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('; '));
  return r.value;
};
type AnIssue = { path: string; code: string; message: string };
const issuesOf = (r: { ok: boolean }): readonly AnIssue[] =>
  (r as unknown as { issues: readonly AnIssue[] }).issues;
const refused = (r: { ok: boolean }): AnIssue => {
  expect(r.ok).toBe(false);
  return issuesOf(r)[0]!;
};

describe('project validation', () => {
  it('the fixture project is valid', () => {
    expect(parseQualProject(fixtureProject()).ok).toBe(true);
  });

  it('names the bad reference, the value and the range', () => {
    const p = fixtureProject();
    const bad = {
      ...p,
      segments: [
        ...p.segments,
        { id: 'x1', sourceId: 'fgd1', start: 10, end: 99999, codeIds: ['fear'], coderId: 'r1' },
        { id: 'x2', sourceId: 'fgd1', start: 0, end: 3, codeIds: ['acad'], coderId: 'r9' },
        { id: 'x3', sourceId: 'nope', start: 0, end: 3, codeIds: ['zzz'], coderId: 'r1' },
      ],
      codes: [...p.codes, { ...p.codes[0]!, id: 'loop', parentId: 'loop' }],
    };
    const r = parseQualProject(bad);
    expect(r.ok).toBe(false);
    const msgs = issuesOf(r).map((i) => i.message);
    expect(msgs).toContain(
      'segment "x1" [10, 99999) is not a non-empty range inside source "Focus group 1 (English)" (0 to 645 code points)',
    );
    expect(msgs).toContain('code "Academic pressure" is a grouping node and cannot be applied to text');
    expect(msgs).toContain('segment "x2" names unknown coder "r9"');
    expect(msgs).toContain('segment "x3" names unknown source "nope"');
    expect(msgs).toContain('segment "x3" names unknown code "zzz"');
    expect(msgs.some((m) => m.includes('is its own ancestor'))).toBe(true);
  });

  it('schema errors come back as issues with a path', () => {
    const r = parseQualProject({ id: 'p', name: 'x', codes: [{ id: 'c', name: 'C', color: 'red' }] });
    expect(r.ok).toBe(false);
    expect(issuesOf(r)[0]!.path).toBe('codes[0].color');
  });
});

describe('codebook', () => {
  const p = fixtureProject();
  it('tree, tree order, paths and descendants', () => {
    expect(codeTree(p.codes).map((n) => [n.code.id, n.children.map((c) => c.code.id)])).toEqual([
      ['acad', ['workload', 'fear']],
      ['support', ['mentor']],
      ['health', []],
    ]);
    expect(codesInTreeOrder(p.codes).map((c) => c.id)).toEqual([
      'acad',
      'workload',
      'fear',
      'support',
      'mentor',
      'health',
    ]);
    expect(codePath(p.codes, 'fear')).toEqual(['Academic pressure', 'Fear of failure']);
    expect([...descendantCodeIds(p.codes, 'acad')].sort()).toEqual(['acad', 'fear', 'workload']);
  });
});

describe('segments', () => {
  const p = fixtureProject();
  it('createSegment checks source, range, codes and coder', () => {
    const s = ok(
      createSegment(p, {
        id: 'n1',
        sourceId: 'fgd1ur',
        start: 0,
        end: 5,
        codeIds: ['health'],
        coderId: 'r3',
      }),
    );
    expect(s.start).toBe(0);
    expect(
      refused(
        createSegment(p, {
          id: 'n1',
          sourceId: 'fgd1ur',
          start: 5,
          end: 5,
          codeIds: ['health'],
          coderId: 'r3',
        }),
      ).code,
    ).toBe('bad_range');
    expect(
      refused(
        createSegment(p, {
          id: 's1',
          sourceId: 'fgd1',
          start: 0,
          end: 5,
          codeIds: ['health'],
          coderId: 'r3',
        }),
      ).code,
    ).toBe('duplicate_id');
    expect(
      refused(createSegment(p, { id: 'n2', sourceId: 'fgd1', start: 0, end: 5, codeIds: [], coderId: 'r3' }))
        .path,
    ).toBe('codeIds');
  });
  it('segmentText slices code points, so an emoji counts once', () => {
    const ur = p.sources[1]!;
    const s7 = p.segments.find((s) => s.id === 's7')!;
    expect(segmentText(ur, s7)).toBe('امتحانات کا دباؤ بہت زیادہ ہے 😔');
  });
});

describe('theme review workflow', () => {
  const base: Theme = fixtureProject().themes[0]!;
  const reviewers = ['r1', 'r2'];

  it('candidate → reviewed needs a definition and a code', () => {
    expect(refused(setThemeStatus({ ...base, definition: ' ' }, 'reviewed', reviewers)).code).toBe('empty');
    expect(refused(setThemeStatus({ ...base, codeIds: [] }, 'reviewed', reviewers)).code).toBe('empty');
    expect(ok(setThemeStatus(base, 'reviewed', reviewers)).status).toBe('reviewed');
  });

  it('cannot be final without every sign-off, nor with an open disagreement; resolved → final', () => {
    let t = ok(setThemeStatus(base, 'reviewed', reviewers));
    expect(refused(setThemeStatus(base, 'final', reviewers)).code).toBe('not_reviewed');
    t = ok(signOffTheme(t, { reviewerId: 'r1', at: '2025-04-03' }));
    const notYet = refused(setThemeStatus(t, 'final', reviewers));
    expect(notYet.code).toBe('not_ready');
    expect(notYet.message).toContain('not yet signed off (version 1) by: r2');
    t = ok(
      raiseDisagreement(t, {
        id: 'd1',
        reviewerId: 'r2',
        at: '2025-04-03',
        text: 'Fear of failure deserves its own theme.',
      }),
    );
    expect(refused(signOffTheme(t, { reviewerId: 'r2', at: '2025-04-04' })).code).toBe('open_disagreement');
    expect(themeReadiness(t, reviewers).reasons.join(' ')).toContain(
      '1 disagreement(s) not resolved: r2’s “Fear of failure deserves its own theme.”',
    );
    const names = (id: string) => ({ r1: 'Dr One', r2: 'Dr Two' })[id] ?? id;
    expect(themeReadiness(t, reviewers, names).reasons.join(' ')).toContain(
      'not resolved: Dr Two’s “Fear of failure deserves its own theme.”',
    );
    expect(refused(signOffTheme(t, { reviewerId: 'r2', at: '2025-04-04' }, names)).message).toBe(
      'Dr Two has an open disagreement (“Fear of failure deserves its own theme.”) on theme "' +
        `${t.name}"; resolve it first.`,
    );
    expect(refused(setThemeStatus(t, 'final', reviewers, names)).message).toContain(
      'not yet signed off (version 1) by: Dr Two;',
    );
    t = ok(
      resolveDisagreement(t, {
        disagreementId: 'd1',
        by: 'r1',
        at: '2025-04-05',
        text: 'Kept as a sub-theme.',
      }),
    );
    expect(
      refused(resolveDisagreement(t, { disagreementId: 'd1', by: 'r1', at: '2025-04-05', text: 'again' }))
        .code,
    ).toBe('already_resolved');
    t = ok(signOffTheme(t, { reviewerId: 'r2', at: '2025-04-05' }));
    expect(themeReadiness(t, reviewers).ready).toBe(true);
    t = ok(setThemeStatus(t, 'final', reviewers));
    expect(t.status).toBe('final');
    // a final theme cannot be edited or disputed until reopened
    expect(refused(editTheme(t, { definition: 'new' })).code).toBe('theme_final');
    expect(
      refused(raiseDisagreement(t, { id: 'd2', reviewerId: 'r1', at: '2025-04-06', text: 'x' })).code,
    ).toBe('theme_final');
    expect(t.disagreements[0]!.resolution).toEqual({
      by: 'r1',
      at: '2025-04-05',
      text: 'Kept as a sub-theme.',
    });
  });

  it('an edit makes earlier sign-offs stale', () => {
    let t = ok(setThemeStatus(base, 'reviewed', reviewers));
    t = ok(signOffTheme(t, { reviewerId: 'r1', at: '2025-04-03' }));
    t = ok(signOffTheme(t, { reviewerId: 'r2', at: '2025-04-03' }));
    t = ok(editTheme(t, { definition: 'Sharper definition.' }));
    expect(t.version).toBe(2);
    expect(themeReadiness(t, reviewers).missingSignOffs).toEqual(['r1', 'r2']);
    expect(refused(setThemeStatus(t, 'final', reviewers)).code).toBe('not_ready');
  });

  it('no reviewers configured: never final', () => {
    const t = ok(setThemeStatus(base, 'reviewed', []));
    expect(refused(setThemeStatus(t, 'final', [])).message).toContain('no theme reviewers');
  });
});

describe('Braun & Clarke phases', () => {
  it('six phases, with dated memos per phase', () => {
    expect(BRAUN_CLARKE_PHASES.map((p) => p.name)).toEqual([
      'Familiarising yourself with the data',
      'Generating initial codes',
      'Searching for themes',
      'Reviewing themes',
      'Defining and naming themes',
      'Producing the report',
    ]);
    let p = fixtureProject();
    p = ok(
      addPhaseMemo(p, {
        id: 'm9',
        target: { kind: 'project' },
        authorId: 'r2',
        at: '2025-03-18',
        text: 'Re-read.',
        phase: 1,
      }),
    );
    const tl = phaseTimeline(p.memos);
    expect(tl[0]).toMatchObject({
      phase: 1,
      memoCount: 2,
      first: '2025-03-15',
      last: '2025-03-18',
      memoIds: ['m1', 'm9'],
    });
    expect(tl[2]).toMatchObject({ phase: 3, memoCount: 0 });
    expect(tl[2]!.first).toBeUndefined();
  });
  it('refuses a phase memo without phase, with a bad date or an unknown author', () => {
    const p = fixtureProject();
    expect(
      refused(
        addPhaseMemo(p, {
          id: 'm9',
          target: { kind: 'project' },
          authorId: 'r2',
          at: '2025-03-18',
          text: 'x',
        }),
      ).code,
    ).toBe('missing');
    expect(
      refused(
        addPhaseMemo(p, {
          id: 'm9',
          target: { kind: 'project' },
          authorId: 'r2',
          at: '18/03/2025',
          text: 'x',
          phase: 2,
        }),
      ).path,
    ).toBe('at');
    expect(
      refused(
        addPhaseMemo(p, {
          id: 'm9',
          target: { kind: 'project' },
          authorId: 'zz',
          at: '2025-03-18',
          text: 'x',
          phase: 2,
        }),
      ).code,
    ).toBe('unknown_ref');
    expect(
      refused(
        addPhaseMemo(p, {
          id: 'm9',
          target: { kind: 'code', id: 'nope' },
          authorId: 'r1',
          at: '2025-03-18',
          text: 'x',
          phase: 2,
        }),
      ).code,
    ).toBe('unknown_ref');
  });
});
