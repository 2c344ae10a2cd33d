import { describe, expect, it } from 'vitest';
import {
  buildResults,
  checklistTable,
  codingTreeLines,
  coreqChecklist,
  describeSample,
  formatQuote,
  quoteOf,
  resultsTable,
  srqrChecklist,
} from '../../../src/core/qual/results.js';
import { TableSpecSchema } from '../../../src/core/report/spec.js';
import { tableCsv } from '../../../src/render/csv.js';
import { fixtureProject } from '../../fixtures/qual/project.js';

const text = (c: unknown) => (c as { text: string } | undefined)?.text;

describe('results table: theme → sub-theme → quotes → support needs', () => {
  const p = fixtureProject();

  it('quotes drop the speaker label and name the participant by pseudonym', () => {
    const q = quoteOf(p, p.segments.find((s) => s.id === 's1')!);
    expect(formatQuote(q)).toBe(
      '“The amount of material we have to study is impossible to keep up with.” (Participant 4)',
    );
    const ur = quoteOf(p, p.segments.find((s) => s.id === 's7')!);
    expect(formatQuote(ur)).toBe('“امتحانات کا دباؤ بہت زیادہ ہے 😔” (Participant 4)');
    // a segment that starts inside the label starts at the words
    const turn = p.turns.fgd1![2]!;
    const q2 = quoteOf(p, {
      id: 'x',
      sourceId: 'fgd1',
      start: turn.start,
      end: turn.contentStart + 6,
      codeIds: ['health'],
      coderId: 'r1',
    });
    expect(q2.text).toBe("I'm so");
    expect(q2.attribution).toBe('Participant 1');
  });

  it('builds the nested results and a valid table spec', () => {
    const r = buildResults(p);
    expect(r.map((t) => [t.theme.name, t.subThemes.map((s) => s.theme.name)])).toEqual([
      ['Overwhelming academic pressure', ['Fear of failure']],
      ['Need for mentorship', []],
    ]);
    const table = resultsTable(p);
    expect(TableSpecSchema.safeParse(table).success).toBe(true);
    const rows = table.rows.map((row) =>
      row.kind === 'data'
        ? [
            text(row.cells.theme),
            text(row.cells.subTheme),
            text(row.cells.quote),
            text(row.cells.supportNeeds),
          ]
        : [],
    );
    expect(rows).toEqual([
      [
        'Overwhelming academic pressure [candidate]',
        undefined,
        '“The amount of material we have to study is impossible to keep up with.” (Participant 4)',
        'Workload management and rest periods; Academic counselling',
      ],
      [
        undefined,
        'Fear of failure [candidate]',
        "“I'm terrified of failing. If I don't get the top grades I feel I'm letting my family down.” (Participant 2)",
        'Mentoring from faculty',
      ],
      [undefined, undefined, '“امتحانات کا دباؤ بہت زیادہ ہے 😔” (Participant 4)', undefined],
      [
        'Need for mentorship [candidate]',
        undefined,
        '“A mentor would make a huge difference.” (Participant 3)',
        'Structured faculty mentorship',
      ],
    ]);
    expect(table.notes).toContain('Themes marked [candidate] or [reviewed] are not final.');
  });

  it('never prints a participant name', () => {
    const csv = tableCsv(resultsTable(p, { suggestQuotes: 3 }));
    for (const part of p.participants) {
      expect(csv).not.toContain(part.name!);
      expect(csv).not.toContain(part.name!.split(' ')[0]!);
    }
  });

  it('final only; suggestions are marked until a researcher accepts them', () => {
    expect(resultsTable(p, { include: 'final' }).rows).toEqual([]);
    const noQuotes = { ...p, themes: p.themes.map((t) => ({ ...t, quoteSegmentIds: [] })) };
    const t = resultsTable(noQuotes, { suggestQuotes: 2 });
    const first = t.rows[0]!;
    // the theme with a sub-theme keeps its needs row; suggestions go to the sub-theme (one per participant)
    expect(first.kind === 'data' && text(first.cells.quote)).toBeUndefined();
    const second = t.rows[1]!;
    expect(second.kind === 'data' && text(second.cells.quote)).toBe(
      "“I'm terrified of failing. If I don't get the top grades I feel I'm letting my family down.” (Participant 2) *",
    );
    expect(t.notes.some((n) => n.startsWith('* Quote suggested by nabz'))).toBe(true);
    const none = resultsTable(noQuotes);
    expect(none.rows.some((r) => r.kind === 'data' && text(r.cells.quote) === '(no quote selected)')).toBe(
      true,
    );
  });
});

describe('COREQ and SRQR checklists', () => {
  const p = fixtureProject();
  const coreq = coreqChecklist(p);
  const srqr = srqrChecklist(p);

  it('have 32 and 21 items with the published titles', () => {
    expect(coreq.items).toHaveLength(32);
    expect(srqr.items).toHaveLength(21);
    expect(coreq.items.map((i) => i.number)).toEqual(Array.from({ length: 32 }, (_, i) => String(i + 1)));
    expect(srqr.items.map((i) => i.number)).toEqual(Array.from({ length: 21 }, (_, i) => `S${i + 1}`));
    expect(coreq.items[0]!.title).toBe('Interviewer/facilitator');
    expect(coreq.items[23]!.title).toBe('Number of data coders');
    expect(coreq.items[31]!.title).toBe('Clarity of minor themes');
    expect(srqr.items[14]!.title).toBe('Techniques to enhance trustworthiness');
    expect(new Set(coreq.items.map((i) => i.domain))).toEqual(
      new Set(['Research team and reflexivity', 'Study design', 'Analysis and findings']),
    );
  });

  it('pre-fills from metadata and from the project; the rest is marked for the researcher', () => {
    const by = (n: string) => coreq.items.find((i) => i.number === n)!;
    expect(by('1')).toMatchObject({ answer: 'SK', from: 'metadata', status: 'prefilled' });
    expect(by('2').answer).toBe('SK: PhD; AM: MBBS, MPhil');
    expect(by('12')).toMatchObject({ answer: '4 participants', from: 'project' });
    expect(by('16').answer).toBe(
      '4 participants; age: 21–24 (median 22.5); gender: Female 2, Male 2; year: 4 2, 3 1, 5 1; college: Private 3, Public 1; funding: Self-funded 3, Scholarship 1; gpa: 3.45 1, 3.9 1, 3.1 1, not given 1',
    );
    expect(by('24').answer).toBe('3 (Researcher 1 (SK), Researcher 2 (AM), Researcher 3 (ZH))');
    expect(by('25').answer).toContain(
      'Codebook of 6 codes (3 at the top level), 5 with a written definition',
    );
    expect(by('26').answer).toBe(
      "Thematic analysis following Braun & Clarke's six phases; dated phase memos recorded for phases 1, 2, 4.",
    );
    expect(by('27').answer).toBe('nabz');
    expect(by('29').answer).toContain('(Participant 4)');
    for (const n of ['7', '13', '30', '31', '32'])
      expect(by(n)).toMatchObject({ answer: null, status: 'needs_researcher' });
    const s = (n: string) => srqr.items.find((i) => i.number === n)!;
    expect(s('S1').answer).toBe(p.meta.title);
    expect(s('S2').status).toBe('needs_researcher');
    expect(s('S13').answer).toContain('pseudonyms P1–P4; names never exported');
    expect(s('S15').answer).toContain('Member checking: Participants reviewed their own transcript turns.');
  });

  it('renders as a table spec with domain group rows and a count note', () => {
    const t = checklistTable(coreq);
    expect(TableSpecSchema.safeParse(t).success).toBe(true);
    expect(t.rows.filter((r) => r.kind === 'group')).toHaveLength(3);
    const open = coreq.items.filter((i) => i.status === 'needs_researcher').length;
    expect(t.notes[0]).toBe(
      `${32 - open} of 32 items pre-filled from the project; ${open} to be completed by the researcher.`,
    );
    expect(tableCsv(t)).toContain('[to be completed by the researcher]');
    // Journals ask where each item is reported: a page-number column for the author to fill in.
    expect(t.columns.map((c) => c.label)).toEqual(['No.', 'Item', 'What it asks', 'Answer', 'Page no.']);
    expect(tableCsv(t).split(/\r?\n/)[0]).toContain('Page no.');
  });

  it('COREQ 21 (duration) falls back on the transcripts’ timestamps when the metadata gives none', () => {
    const { duration: _, ...meta } = p.meta;
    const c = coreqChecklist({ ...p, meta });
    const item = c.items.find((i) => i.number === '21')!;
    expect(item.answer).toBe(
      'At least (last timestamped turn of each transcript) Focus group 1 (English): 2 min 20 s; فوکس گروپ ۱ (اردو): 0 min 45 s. Give the recorded durations.',
    );
    expect(item.status).not.toBe('needs_researcher');
  });

  it('COREQ 19 and SRQR S10 state what the timestamps show about recording when the metadata says nothing', () => {
    const { recording: _r, duration: _d, ...meta } = p.meta;
    const formats = { fgd1: 'txt', fgd1ur: 'vtt' };
    const c = coreqChecklist({ ...p, meta }, { sourceFormats: formats });
    const item = c.items.find((i) => i.number === '19')!;
    expect(item).toMatchObject({
      answer:
        '2 of 2 transcripts carry recording timestamps (timestamped text 1, WebVTT captions 1), so those sessions were recorded. Give the device and whether audio or video was recorded.',
      from: 'project',
    });
    const s10 = srqrChecklist({ ...p, meta }, { sourceFormats: formats }).items.find(
      (i) => i.number === 'S10',
    )!;
    expect(s10.answer).toContain('2 of 2 transcripts carry recording timestamps');
    expect(s10.answer).toContain('Focus group 1 (English): 2 min 20 s');
    // No timestamps: nothing claimed.
    const untimed = {
      ...p,
      meta,
      turns: Object.fromEntries(
        Object.entries(p.turns).map(([k, ts]) => [k, ts.map(({ time: _t, endTime: _e, ...t }) => t)]),
      ),
    };
    expect(coreqChecklist(untimed).items.find((i) => i.number === '19')!.answer).toBeNull();
    // The metadata wins when given.
    expect(coreqChecklist(p).items.find((i) => i.number === '19')!.from).toBe('metadata');
  });

  it('COREQ 23 and 28 come from the member-checking records when the metadata says nothing', () => {
    const { transcriptsReturned: _a, memberChecking: _b, ...meta } = p.meta;
    const c = coreqChecklist(
      { ...p, meta },
      { memberChecks: { participants: 4, sent: 3, returned: 2, corrected: 1 } },
    );
    const text =
      "Each participant's own transcript turns were sent back to 3 of 4 participants; 2 returned them, 1 with corrections (recorded as tracked edits).";
    expect(c.items.find((i) => i.number === '23')!.answer).toBe(text);
    expect(c.items.find((i) => i.number === '28')!.answer).toBe(text);
    expect(coreqChecklist({ ...p, meta }).items.find((i) => i.number === '23')!.answer).toBeNull();
  });

  it('describeSample summarises a larger sample instead of listing every value (issue 10, defect 7)', () => {
    const cities = [
      'Lahore',
      'Lahore',
      'Lahore',
      'Lahore',
      'Lahore',
      'Karachi',
      'Karachi',
      'Karachi',
      'Multan',
    ];
    const people = Array.from({ length: 12 }, (_, i) => ({
      id: `p${i + 1}`,
      pseudonym: `P${i + 1}`,
      aliases: [],
      attributes: {
        age: 19 + (i % 6),
        city: cities[i] ?? ['Quetta', 'Sialkot', 'Peshawar'][i - 9]!,
        roll: `MBBS-${1000 + i}`,
        ...(i < 10 ? { gender: i < 7 ? 'Female' : 'Male' } : {}),
      },
    }));
    const q = { ...p, participants: people };
    expect(describeSample(q)).toBe(
      '12 participants; age: 19–24 (median 21.5); city: Lahore 5, Karachi 3, Multan 1 and 3 other values (3); roll: a different value for each of 12 participants; gender: Female 7, Male 3, not given 2',
    );
    // A viewer (k = 5): no group under 5 named, no range whose ends fewer than 5 share.
    expect(describeSample(q, 5)).toBe(
      '12 participants; age: fewer than 5 participants share the lowest or highest value; city: Lahore 5, values held by fewer than 5 participants are not shown; roll: a different value for each of 12 participants; gender: Female 7, values held by fewer than 5 participants are not shown',
    );
  });

  it('describeSample and the coding tree', () => {
    expect(describeSample({ ...p, participants: [] })).toBeNull();
    expect(codingTreeLines(p)[1]).toBe('  Workload — Volume of material, hours of study.');
  });
});
