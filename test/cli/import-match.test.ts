/**
 * `nabz analyze` / `nabz score` on exports that do not match the study exactly: a partly matched export is
 * refused with "did you mean" suggestions (exit 2) unless --allow-missing, --write-mapping writes a mapping
 * that --mapping reads back, repeated errors print as one line each, a study's text packs reach the import
 * (MBI-SS and PSS-10 with test-only wording), and a run where no respondent has a score never exits 0.
 * Runs the built dist/cli/main.js (`npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { questions } from '../core/response/fixtures.js';
import { expectDigits } from '../helpers/accuracy.js';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const example = join(root, 'examples', 'bace-medical-students');
const study = join(example, 'study.json');
const responses = readFileSync(join(example, 'responses.csv'), 'utf8');

function nabz(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'nabz-match-'));

/** The example export with two BACE items reworded, one under a short code, and the group variable renamed. */
function partlyMatched(dir: string): string {
  const [header, ...rest] = responses.split('\n');
  const h = header!
    .replace(
      'Being unsure where to go to get professional care',
      'Being unsure where to go for professional help',
    )
    .replace('Feeing embarrassed or ashamed', 'Feeling embarrassed/ashamed')
    .replace(
      '"Barriers to Access to Care Evaluation, version 3 [Fear of being put in hospital against my will]"',
      'Q4',
    )
    .replace('Level of training', 'Training level');
  expect(h).not.toBe(header);
  const path = join(dir, 'partial.csv');
  writeFileSync(path, [h, ...rest].join('\n'));
  return path;
}

describe('a partly matched export', () => {
  it('is refused (exit 2) with every unmatched item and group variable and the closest columns; nothing is written', () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const r = nabz('analyze', partlyMatched(dir), '--study', study, '--out', out);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(
      /3 instrument items and 1 group variable of the study have no column in ".*partial\.csv"/,
    );
    expect(r.err).toMatch(
      /bace3_01 — item of bace3, "Being unsure where to go to get professional care"\n\s+did you mean F "…\[Being unsure where to go for professional help\]" \(\d+%\)\?/,
    );
    expect(r.err).toMatch(
      /bace3_04 — item of bace3, "Fear of being put in hospital against my will"\n\s+no unmapped column reads like it/,
    );
    expect(r.err).toMatch(
      /bace3_09 — item of bace3, .*\n\s+did you mean N ".*Feeling embarrassed\/ashamed\]" \(\d+%\)\?/,
    );
    expect(r.err).toMatch(
      /training — group variable, "Level of training"\n\s+did you mean D "Training level" \(\d+%; its answers are the options\)\?/,
    );
    expect(r.err).toMatch(/--mapping map\.json \(docs\/importing\.md/);
    expect(r.err).toMatch(/--write-mapping map\.json/);
    expect(r.err).toMatch(/--allow-missing/);
    expect(existsSync(out)).toBe(false);
    // `score` refuses the same file (it does not group, so only the three items).
    const s = nabz('score', join(dir, 'partial.csv'), '--study', study, '--out', join(dir, 's.csv'));
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/3 instrument items of the study have no column/);
    expect(existsSync(join(dir, 's.csv'))).toBe(false);
  });

  it('--write-mapping writes the suggested mapping; with the last column added, it scores exactly like the original file', () => {
    const dir = tmp();
    const file = partlyMatched(dir);
    const map = join(dir, 'map.json');
    const r = nabz('analyze', file, '--study', study, '--write-mapping', map);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /The suggested mapping .* was written to .*map\.json: review it, then pass --mapping/,
    );
    const m = JSON.parse(readFileSync(map, 'utf8')) as {
      columns: Record<string, string | null>;
      timestamp?: string;
    };
    expect(m.columns['Training level']).toBe('training');
    expect(
      m.columns[
        'Barriers to Access to Care Evaluation, version 3 [Being unsure where to go for professional help]'
      ],
    ).toBe('bace3_01');
    expect(m.columns['Barriers to Access to Care Evaluation, version 3 [Feeling embarrassed/ashamed]']).toBe(
      'bace3_09',
    );
    expect(m.columns.Q4).toBeUndefined();
    expect(m.columns.Gender).toBe('gender');
    expect(m.timestamp).toBe('Timestamp');
    // Still refused with the mapping: Q4 reads like nothing, so it was not guessed.
    const again = nabz('analyze', file, '--study', study, '--mapping', map);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/1 instrument item of the study has no column/);
    m.columns.Q4 = 'bace3_04';
    writeFileSync(map, JSON.stringify(m));
    const mapped = nabz('score', file, '--study', study, '--mapping', map, '--out', join(dir, 'mapped.csv'));
    expect(mapped.code, mapped.err).toBe(0);
    const original = nabz(
      'score',
      join(example, 'responses.csv'),
      '--study',
      study,
      '--out',
      join(dir, 'orig.csv'),
    );
    expect(original.code, original.err).toBe(0);
    expect(readFileSync(join(dir, 'mapped.csv'), 'utf8')).toBe(readFileSync(join(dir, 'orig.csv'), 'utf8'));
  });

  it('--allow-missing analyses it and the report says "k of n items present" per score and names what was missing', () => {
    const dir = tmp();
    const file = partlyMatched(dir);
    const out = join(dir, 'out');
    const r = nabz('analyze', file, '--study', study, '--allow-missing', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/warning: --allow-missing: .*bace3_01, bace3_04, bace3_09, training/);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\| Score \| Computed .*\| Items present \|/);
    expect(md).toMatch(/\| bace3\\_mean \|.*\| 27 of 30 \|/);
    expect(md).toMatch(/\| stigma \|.*\| 9 of 10 \|/);
    expect(md).toMatch(/\| attitudinal \|.*\| 9 of 10 \|/);
    expect(md).toMatch(/\| instrumental \|.*\| 9 of 10 \|/);
    expect(md).toMatch(
      /Items missing from the data: .*Overall BACE mean \(all 30 items\) 27 of 30 items present \(no column for bace3\\_01, bace3\\_04, bace3\\_09\)/,
    );
    expect(md).toMatch(/No comparison by level of training: the data have no column for it/);
    const json = readFileSync(join(out, 'report.json'), 'utf8');
    expect(json).toMatch(/"text": "27 of 30"/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/27 of 30/);
    const s = nabz('score', file, '--study', study, '--allow-missing', '--out', join(dir, 's.csv'));
    expect(s.code, s.err).toBe(0);
    expect(s.err).toMatch(
      /bace3_mean: 217 computed, .*; 27 of 30 items present \(no column: bace3_01, bace3_04, bace3_09\)/,
    );
  });
});

describe('items no score uses', () => {
  /** PHQ-9 by item id, codes 0–3; `without` lists the items the file leaves out. */
  function phq9(dir: string, without: string[]): string {
    const ids = Array.from({ length: 9 }, (_, i) => `phq9_${i + 1}`).filter((id) => !without.includes(id));
    const rows = [ids.join(',')];
    for (let r = 0; r < 10; r++) rows.push(ids.map((_, j) => (r + j) % 4).join(','));
    const path = join(dir, 'phq9.csv');
    writeFileSync(path, `${rows.join('\n')}\n`);
    return path;
  }

  it('may be absent (PHQ-9 without its unscored difficulty item 10): a note, not a refusal', () => {
    const dir = tmp();
    const r = nabz('score', phq9(dir, []), '--instrument', 'phq9');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(
      /note: an instrument item no score uses has no column \(reported as not asked\): phq9_10/,
    );
    expect(r.err).toMatch(/phq9_total: 10 computed/);
  });

  it('but a scored item may not: PHQ-9 without item 9 is refused', () => {
    const dir = tmp();
    const r = nabz('score', phq9(dir, ['phq9_9']), '--instrument', 'phq9');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/1 instrument item of the study has no column/);
    expect(r.err).toMatch(/ {2}phq9_9 — item of phq9/);
    expect(r.err).not.toMatch(/ {2}phq9_10 — /);
  });
});

describe('errors repeated over rows', () => {
  it('print as one line per column and value with the row count', () => {
    const dir = tmp();
    const lines = responses.split('\n');
    let changed = 0;
    for (let i = 5; i < 30; i++) {
      const next = lines[i]!.replace(/,(Female|Male),/, ',F,');
      if (next !== lines[i]) changed++;
      lines[i] = next;
    }
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, lines.join('\n'));
    const r = nabz('analyze', bad, '--study', study);
    expect(r.code).toBe(1);
    expect(r.err.match(/is not one of Female, Male/g)).toHaveLength(1);
    expect(r.err).toMatch(
      new RegExp(
        `Row 6, column "Gender": "F" is not one of Female, Male\\..* — the same in ${changed - 1} more rows \\(${changed} in all\\)`,
      ),
    );
  });
});

// MBI-SS and PSS-10 ship without item text; a study supplies it as a text pack. The wording here is
// test-only and obviously fake — never the licensed text.
const MBI = [
  ...[1, 2, 3, 4, 5].map((i) => `mbiss_ex${i}`),
  ...[1, 2, 3, 4].map((i) => `mbiss_cy${i}`),
  ...[1, 2, 3, 4, 5, 6].map((i) => `mbiss_ef${i}`),
];
const PSS = Array.from({ length: 10 }, (_, i) => `pss10_${String(i + 1).padStart(2, '0')}`);
const PSS_REVERSED = new Set(['pss10_04', 'pss10_05', 'pss10_07', 'pss10_08']);
const ack = { by: 'test', at: 'n/a' };

function packedStudy(dir: string): string {
  const s = {
    id: 'text_pack_test',
    title: 'Text pack test',
    instruments: [
      {
        instrument: 'mbiss',
        termsAcknowledged: ack,
        textPacks: [
          {
            instrument: 'mbiss',
            version: '2002',
            language: 'en',
            licensee: 'Test only',
            items: Object.fromEntries(MBI.map((id) => [id, `Fake MBI statement ${id}`])),
            scales: {
              mbiss_frequency: Object.fromEntries([0, 1, 2, 3, 4, 5, 6].map((v) => [v, `Fake anchor ${v}`])),
            },
          },
        ],
      },
      {
        instrument: 'pss10',
        termsAcknowledged: ack,
        textPacks: [
          {
            instrument: 'pss10',
            version: '1988',
            language: 'en',
            licensee: 'Test only',
            items: Object.fromEntries(PSS.map((id) => [id, `Fake PSS statement ${id}`])),
            scales: {
              pss10_frequency: Object.fromEntries([0, 1, 2, 3, 4].map((v) => [v, `Fake level ${v}`])),
            },
          },
        ],
      },
    ],
    // Gender (Female = 1, Male = 2) as the import tests define it.
    questions: questions.filter((q) => q.id === 'gender'),
    analysis: { groupBy: ['gender'] },
  };
  const path = join(dir, 'study.json');
  writeFileSync(path, JSON.stringify(s));
  return path;
}

const N = 12;
const mbiValue = (r: number, j: number) => (r * 3 + j * 5) % 7;
/** PSS answers; respondent 4 skipped item 3, so has no total (all ten items needed). */
const pssValue = (r: number, j: number) => (r === 4 && j === 2 ? null : (r + 2 * j) % 5);

/** A Google Forms-shaped export: grid headers with the pack's wording, answers as the pack's labels. */
function packedExport(dir: string, blank: 'none' | 'all' | 'pss' = 'none'): string {
  const blankItems = blank === 'all';
  const q = (s: string) => `"${s}"`;
  const header = [
    'Timestamp',
    'Gender',
    ...MBI.map((id) => q(`MBI form [Fake MBI statement ${id}]`)),
    ...PSS.map((id) => q(`PSS form [Fake PSS statement ${id}]`)),
  ];
  const rows = [header.join(',')];
  for (let r = 0; r < N; r++) {
    const cells = [`2025/01/0${(r % 9) + 1} 10:00:00`, r % 2 ? 'Female' : 'Male'];
    for (let j = 0; j < MBI.length; j++) cells.push(blankItems ? '' : `Fake anchor ${mbiValue(r, j)}`);
    for (let j = 0; j < PSS.length; j++) {
      const v = pssValue(r, j);
      cells.push(blank !== 'none' || v === null ? '' : `Fake level ${v}`);
    }
    rows.push(cells.join(','));
  }
  const path = join(dir, `${blank}.csv`);
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

describe("a study's text packs reach analyze and score", () => {
  it('score: every respondent scored from the pack-worded columns, values as the official scoring gives them', () => {
    const dir = tmp();
    const r = nabz('score', packedExport(dir), '--study', packedStudy(dir), '--out', join(dir, 's.csv'));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/mbiss_ex: 12 computed/);
    expect(r.err).toMatch(/pss10_total: 11 computed, 0 with no item answered, 1 with too few items/);
    const [head, ...lines] = readFileSync(join(dir, 's.csv'), 'utf8').trim().split('\n');
    expect(head).toBe(
      'row,mbiss_ex,mbiss_ex_n,mbiss_cy,mbiss_cy_n,mbiss_ef,mbiss_ef_n,pss10_total,pss10_total_n',
    );
    expect(lines).toHaveLength(N);
    const mean = (r: number, from: number, to: number) => {
      let s = 0;
      for (let j = from; j < to; j++) s += mbiValue(r, j);
      return s / (to - from);
    };
    lines.forEach((line, r) => {
      const c = line.split(',');
      expectDigits(Number(c[1]), mean(r, 0, 5), 15, `mbiss_ex row ${r}`);
      expectDigits(Number(c[3]), mean(r, 5, 9), 15, `mbiss_cy row ${r}`);
      expectDigits(Number(c[5]), mean(r, 9, 15), 15, `mbiss_ef row ${r}`);
      if (r === 4) expect(c[7]).toBe('');
      else {
        let total = 0;
        PSS.forEach((id, j) => {
          const v = pssValue(r, j)!;
          total += PSS_REVERSED.has(id) ? 4 - v : v;
        });
        expect(Number(c[7])).toBe(total);
      }
    });
  });

  it('analyze: n is the respondents with a score (12 for MBI-SS, 11 for PSS-10), not 0', () => {
    const dir = tmp();
    const r = nabz('analyze', packedExport(dir), '--study', packedStudy(dir), '--format', 'json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as {
      sections: {
        blocks: { type: string; rows?: { cells: Record<string, { text?: string; value?: number }> }[] }[];
      }[];
    };
    const nOf = (label: string) =>
      report.sections
        .flatMap((s) => s.blocks)
        .flatMap((b) => b.rows ?? [])
        .find((row) => row.cells?.label?.text === label && row.cells.n !== undefined)?.cells.n?.value;
    expect(nOf('Exhaustion')).toBe(12);
    expect(nOf('Academic efficacy')).toBe(12);
    expect(nOf('Perceived stress (PSS-10 total)')).toBe(11);
  });

  it('simulate writes the pack wording and analyze reads every simulated respondent back', () => {
    const dir = tmp();
    const s = packedStudy(dir);
    const sim = nabz('simulate', '--study', s, '--n', '40', '--seed', '3', '--out', join(dir, 'sim.csv'));
    expect(sim.code, sim.err).toBe(0);
    expect(readFileSync(join(dir, 'sim.csv'), 'utf8')).toMatch(/Fake MBI statement mbiss_ex1/);
    const r = nabz('score', join(dir, 'sim.csv'), '--study', s);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/mbiss_ex: 40 computed/);
  });

  it('no respondent with any score is an error (exit 1), never an empty report with exit 0', () => {
    const dir = tmp();
    const file = packedExport(dir, 'all');
    for (const cmd of ['analyze', 'score']) {
      const r = nabz(cmd, file, '--study', packedStudy(dir));
      expect(r.code, `${cmd}: ${r.err}`).toBe(1);
      expect(r.err).toMatch(
        /no respondent of the 12 in ".*all\.csv" has any score \(n = 0 for every score\)/,
      );
      expect(r.err).toMatch(/pss10_total: 12 with no item answered/);
      expect(r.out).toBe('');
    }
  });

  it('a score no respondent has is a warning naming it, when other scores have respondents', () => {
    const dir = tmp();
    const r = nabz('score', packedExport(dir, 'pss'), '--study', packedStudy(dir));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(
      /warning: score pss10_total has no respondent \(n = 0\): 12 answered none of its items, 0 fewer than 10\./,
    );
    expect(r.err).not.toMatch(/warning: score mbiss/);
  });
});
