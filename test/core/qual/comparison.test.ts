/**
 * The coder comparison's scope (issue 10): by default only transcripts every compared coder has coded, and
 * no moderator or interviewer turns; both visible as options with what they left out.
 */
import { describe, expect, it } from 'vitest';
import { krippendorffAlpha, twoCoderAgreement } from '../../../src/core/qual/agreement.js';
import {
  agreementTables,
  codeStreamKeys,
  compareCoders,
  projectAgreementInput,
  scopeNotes,
} from '../../../src/core/qual/comparison.js';
import type { QualProject } from '../../../src/core/qual/model.js';
import { codePointLength } from '../../../src/core/qual/offsets.js';
import { TableSpecSchema } from '../../../src/core/report/spec.js';
import { fixtureProject } from '../../fixtures/qual/project.js';

const project = fixtureProject();
const codeIds = ['workload', 'health'];
const coders3 = ['r1', 'r2', 'r3'];
const len = (id: string) => codePointLength(project.sources.find((s) => s.id === id)!.text);
const moderatorChars = (id: string) =>
  (project.turns[id] ?? [])
    .filter((t) => t.role === 'moderator' || t.role === 'interviewer')
    .reduce((s, t) => s + Math.max(t.end, t.start + 1) - t.start, 0);

describe('which transcripts count', () => {
  it("'every' (default) leaves out a transcript one compared coder has not coded, and names them", () => {
    const { input, scope } = projectAgreementInput(project, { coders: coders3, codeIds, unit: 'character' });
    expect(scope.sources).toBe('every');
    expect(scope.counted.map((s) => s.id)).toEqual(['fgd1ur']);
    expect(scope.skipped).toEqual([{ id: 'fgd1', name: 'Focus group 1 (English)', notCodedBy: ['r3'] }]);
    expect(input.sources.map((s) => s.id)).toEqual(['fgd1ur']);
    const a = krippendorffAlpha(input).pooled;
    expect(a.denominator.missingValues).toBe(0);
    expect(a.denominator.units).toBe(codeIds.length * (len('fgd1ur') - moderatorChars('fgd1ur')));
    expect(
      scopeNotes(
        compareCoders(project, { coders: coders3, codeIds, unit: 'character', bootstrap: false }),
        (id) => id,
      )[0],
    ).toContain('"Focus group 1 (English)" (not coded by r3)');
  });
  it("'coded' keeps it with the missing coder's units missing; 'all' counts them as not coded", () => {
    const coded = projectAgreementInput(project, {
      coders: coders3,
      codeIds: ['workload'],
      unit: 'character',
      sources: 'coded',
    });
    expect(coded.scope.counted).toHaveLength(2);
    const a = krippendorffAlpha(coded.input).pooled;
    expect(a.denominator.missingValues).toBe(len('fgd1') - moderatorChars('fgd1'));
    const all = projectAgreementInput(project, {
      coders: coders3,
      codeIds: ['workload'],
      unit: 'character',
      sources: 'all',
    });
    expect(krippendorffAlpha(all.input).pooled.denominator.missingValues).toBe(0);
    // Counting an uncoded transcript as "not coded" changes alpha: the inflation the default avoids.
    expect(krippendorffAlpha(all.input).pooled.alpha).not.toEqual(a.alpha);
  });
});

describe('which speakers count', () => {
  it("'participants' (default) leaves out moderator turns, by characters and by turns", () => {
    const two = ['r1', 'r2'];
    const def = projectAgreementInput(project, { coders: two, codeIds: ['workload'], unit: 'character' });
    const every = projectAgreementInput(project, {
      coders: two,
      codeIds: ['workload'],
      unit: 'character',
      speakers: 'all',
    });
    const chars = moderatorChars('fgd1') + moderatorChars('fgd1ur');
    expect(chars).toBeGreaterThan(0);
    expect(def.scope.excludedCharacters).toBe(chars);
    const n = twoCoderAgreement(def.input).pooled.denominator.units;
    const nAll = twoCoderAgreement(every.input).pooled.denominator.units;
    expect(nAll).toBe(len('fgd1') + len('fgd1ur'));
    expect(n).toBe(nAll - chars);
    const turns = projectAgreementInput(project, { coders: two, codeIds: ['workload'], unit: 'turn' });
    const allTurns = (project.turns.fgd1?.length ?? 0) + (project.turns.fgd1ur?.length ?? 0);
    expect(twoCoderAgreement(turns.input).pooled.denominator.units).toBe(
      allTurns - turns.scope.excludedTurns,
    );
    expect(turns.scope.excludedTurns).toBeGreaterThan(0);
  });
});

describe('agreement tables for CSV and DOCX', () => {
  it('two coders: κ, AC1, BP and α with intervals; valid report tables; reproducible', () => {
    const c = compareCoders(project, { coders: ['r1', 'r2'], codeIds, unit: 'turn' });
    expect(compareCoders(project, { coders: ['r1', 'r2'], codeIds, unit: 'turn' })).toEqual(c);
    const names = { coder: (id: string) => `Coder ${id}`, code: (id: string) => id };
    const tables = agreementTables(c, names);
    expect(tables).toHaveLength(1);
    for (const t of tables) expect(TableSpecSchema.safeParse(t).success).toBe(true);
    expect(tables[0]!.columns.map((x) => x.label)).toContain('AC1 95% CI');
    expect(tables[0]!.rows).toHaveLength(codeIds.length + 1);
    const noBoot = agreementTables(
      compareCoders(project, { coders: ['r1', 'r2'], codeIds, unit: 'turn', bootstrap: false }),
      names,
    );
    expect(noBoot[0]!.columns.map((x) => x.label)).not.toContain('κ 95% CI');
  });
  it('three coders: α table with P(α < .667) and a pairwise table', () => {
    const c = compareCoders(project, { coders: coders3, codeIds, unit: 'turn', sources: 'coded' });
    const tables = agreementTables(c, { coder: (id) => id, code: (id) => id });
    expect(tables.map((t) => t.id)).toEqual(['qualAgreement', 'qualAgreementPairs']);
    for (const t of tables) expect(TableSpecSchema.safeParse(t).success).toBe(true);
    expect(tables[1]!.rows).toHaveLength(3);
  });
});

describe('bootstrap intervals are keyed by what an export and import keep', () => {
  /** The project with every code given another id (as a REFI-QDA import does: the file's GUIDs). */
  function withNewCodeIds(p: QualProject): { project: QualProject; id: (old: string) => string } {
    const id = (old: string) => `renamed-${old}`;
    return {
      id,
      project: {
        ...p,
        codes: p.codes.map((c) => ({
          ...c,
          id: id(c.id),
          parentId: c.parentId === null ? null : id(c.parentId),
          ...(c.mergedInto ? { mergedInto: id(c.mergedInto) } : {}),
        })),
        segments: p.segments.map((sg) => ({ ...sg, codeIds: sg.codeIds.map(id) })),
      },
    };
  }
  /** Each row's intervals, without its code id. */
  const intervals = (c: ReturnType<typeof compareCoders>) =>
    c.rows.map(({ alphaCi, twoCi }) => ({ alphaCi, twoCi }));

  it('the same project with other code ids gives identical intervals, two and three coders', () => {
    const renamed = withNewCodeIds(project);
    for (const coders of [['r1', 'r2'], coders3]) {
      const opts = { coders, codeIds, unit: 'turn' as const, sources: 'coded' as const };
      const before = compareCoders(project, opts);
      const after = compareCoders(renamed.project, { ...opts, codeIds: codeIds.map(renamed.id) });
      expect(after.rows.map((r) => r.codeId)).toEqual([...codeIds.map(renamed.id), null]);
      expect(intervals(after)).toEqual(intervals(before));
      expect(before.rows[0]!.alphaCi).toBeDefined();
    }
  });

  it('keys a code by its path of names, and codes sharing a path by their codebook order', () => {
    const codes = [
      { id: 'x', name: 'Stigma', parentId: null, definition: '', examples: [], codable: true },
      { id: 'p', name: 'Support', parentId: null, definition: '', examples: [], codable: true },
      { id: 'q', name: 'Stigma', parentId: 'p', definition: '', examples: [], codable: true },
      { id: 'y', name: 'Stigma', parentId: null, definition: '', examples: [], codable: true },
    ];
    expect(Object.fromEntries(codeStreamKeys(codes))).toEqual({
      x: '["Stigma"]#1',
      y: '["Stigma"]#2',
      p: '["Support"]#1',
      q: '["Support","Stigma"]#1',
    });
  });
});
