/**
 * The qualitative pages' views as pure functions of their models (src/server/qual/*View.ts and the page
 * shell's pieces in common.ts): what each shows for each role, escaping of researcher-written text, nothing
 * shown that the model does not hold.
 */
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/qual/audit.js';
import type { TableSpec } from '../../../src/core/report/spec.js';
import { codesView, participantsView } from '../../../src/server/qual/codesView.js';
import { refusalView } from '../../../src/server/qual/common.js';
import {
  auditModel,
  auditView,
  exchangeView,
  importReportView,
} from '../../../src/server/qual/exchangeView.js';
import { membersView, packetView } from '../../../src/server/qual/membersView.js';
import { overviewModel, overviewView, startView } from '../../../src/server/qual/overviewView.js';
import { checklistsView, resultsView } from '../../../src/server/qual/resultsView.js';
import {
  codeCheckboxes,
  codingModel,
  codingView,
  importedView,
  sourcesView,
  textWithCr,
} from '../../../src/server/qual/sourcesView.js';
import { memosView, themesView } from '../../../src/server/qual/themesView.js';
import type { RoleGrant } from '../../../src/store/index.js';
import { fixtureProject } from '../../fixtures/qual/project.js';

const project = fixtureProject();
const roles: RoleGrant[] = [
  { userId: 1, email: 'o@x', displayName: 'Owner <O>', role: 'owner', grantedAt: new Date(0) },
  { userId: 2, email: 'a@x', displayName: 'Analyst', role: 'analyst', grantedAt: new Date(0) },
  { userId: 3, email: 'v@x', displayName: 'Viewer', role: 'viewer', grantedAt: new Date(0) },
];
const base = '/studies/7/qual';

describe('project overview', () => {
  const model = (role: 'owner' | 'analyst' | 'viewer', blind = false) =>
    overviewModel({
      base,
      role,
      project: { ...project, themeReviewers: ['r2', 'u2'] },
      blind,
      version: 4,
      comparisonOpen: false,
      roles,
    });

  it('counts the project, names the reviewers (coders, else study members) and gives the owner the settings', () => {
    const m = model('owner');
    expect(m.stats).toContainEqual({ label: 'transcripts', n: 2 });
    expect(m.stats).toContainEqual({ label: 'coded segments', n: project.segments.length });
    expect(model('analyst', true).stats).toContainEqual({
      label: 'your coded segments',
      n: project.segments.length,
    });
    expect(m.reviewerNames).toEqual(['Researcher 2 (AM)', 'Analyst']);
    expect(m.settings?.candidates.map((c) => [c.coderId, c.reviewer])).toEqual([
      ['u1', false],
      ['u2', true],
    ]);
    const page = overviewView(m, 'tok').text;
    expect(page).toContain('<input type="hidden" name="version" value="4">');
    expect(page).toContain('value="u2" checked> Analyst (analyst)');
    expect(page).toContain('Owner &lt;O&gt; (owner)');
    expect(page).toContain('Open comparison');
    expect(page).toContain('Themes: ');
  });

  it('shows a viewer the aggregates note and no forms; an analyst the memo link', () => {
    const viewer = overviewView(model('viewer'), 'tok').text;
    expect(model('viewer').settings).toBeUndefined();
    expect(viewer).toContain('As a viewer you see aggregates only');
    expect(viewer).not.toContain('<form');
    expect(viewer).not.toContain('/memos');
    const analyst = overviewView(model('analyst'), 'tok').text;
    expect(analyst).toContain(`<a href="${base}/memos">`);
    expect(analyst).toContain('until the owner opens comparison');
    expect(analyst).not.toContain('<form');
  });

  it('before the project exists offers the owner the start form with the study title escaped', () => {
    const owner = startView({ base, studyTitle: 'Burnout "2026" <pilot>', owner: true }, 'tok').text;
    expect(owner).toContain('value="Burnout &quot;2026&quot; &lt;pilot&gt;"');
    expect(owner).toContain('name="_csrf" value="tok"');
    const other = startView({ base, studyTitle: 'x', owner: false }, 'tok').text;
    expect(other).not.toContain('<form');
    expect(other).toContain('its owner can start one');
  });
});

describe('transcripts', () => {
  it('after an import says what was taken, escaping the name and the importer’s notes', () => {
    const page = importedView({
      base,
      sourceId: 'src-1',
      name: '<b>FGD</b>',
      format: 'txt',
      language: 'en',
      length: 120,
      turns: 5,
      linked: 3,
      added: ['P4', 'P5'],
      replacements: 0,
      notes: ['Speaker "X<y>" is not a participant'],
    }).text;
    expect(page).toContain(
      '<strong dir="auto">&lt;b&gt;FGD&lt;/b&gt;</strong> (txt, en): 120 characters, 5 speaker turns, 3 linked',
    );
    expect(page).toContain('New participants from the speaker labels: P4, P5.');
    expect(page).not.toContain('replaced by pseudonyms');
    expect(page).toContain('<li>Speaker &quot;X&lt;y&gt;&quot; is not a participant</li>');
    expect(page).toContain(`href="${base}/sources/src-1"`);
  });

  it('the coding page lists the transcript’s segments, with a delete button on the viewer’s own only', () => {
    const src = project.sources[0]!;
    const m = codingModel({
      base,
      studyId: 7,
      source: { id: src.id, source: src, turns: project.turns[src.id]!, format: 'txt' },
      project,
      segmentVersions: new Map([['s1', 3]]),
      coderNames: new Map([['r1', 'Sana']]),
      viewer: 'r1',
      blind: false,
    });
    const mine = project.segments.filter((s) => s.sourceId === src.id);
    expect(m.segments).toHaveLength(mine.length);
    expect(m.segments.find((s) => s.id === 's1')).toMatchObject({ coder: 'Sana', deleteVersion: 3 });
    expect(m.segments.find((s) => s.id === 's2')).toMatchObject({ coder: 'r2', deleteVersion: undefined });
    expect(m.turns[1]!.label).toMatch(/^#2 Participant 4: The amount of material/);
    const page = codingView(m, 'tok').text;
    expect(page.match(/\/segments\/[^/]+\/delete/g)).toHaveLength(
      mine.filter((s) => s.coderId === 'r1').length,
    );
    expect(page).toContain('comparison open: all coders’ segments shown');
    expect(page).toContain('Health &amp; sleep &lt;self-care&gt;');
    expect(page).toContain(`action="${base}/sources/fgd1/segments"`);
    expect(codingView({ ...m, blind: true, segments: [] }, 'tok').text).toContain(
      '<h2>Segments (yours)</h2><p>No segments yet.</p>',
    );
  });
});

describe('REFI-QDA import', () => {
  it('reports what was taken, what was not (with the reason) and the warnings, escaped', () => {
    const counts = {
      sources: 2,
      codes: 5,
      segments: 9,
      coders: 2,
      memos: 1,
      participants: 3,
      variables: 1,
      themes: 0,
    };
    const page = importReportView(
      {
        counts,
        skipped: [
          { element: 'PictureSource', name: 'Photo <1>', reason: 'pictures are not supported' },
          { element: 'Link', reason: 'links are not kept' },
        ],
        warnings: [{ path: 'x', code: 'w', message: 'Position 7 & 8 are out of range' }],
      },
      base,
    ).text;
    expect(page).toContain(
      'Taken: 2 transcript(s), 3 participant(s), 1 variable(s), 5 code(s), 9 segment(s)',
    );
    expect(page).toContain('<li>PictureSource “Photo &lt;1&gt;”: pictures are not supported</li>');
    expect(page).toContain('<li>Link: links are not kept</li>');
    expect(page).toContain('<li>Position 7 &amp; 8 are out of range</li>');
    const clean = importReportView({ counts, skipped: [], warnings: [] }, base).text;
    expect(clean).not.toContain('notice');
    expect(clean).toContain(`<a href="${base}">Back to the project</a>`);
  });
});

describe('member checking', () => {
  const row = {
    participantId: 'p4',
    pseudonym: 'P4',
    items: [
      { sourceId: 'fgd1', sourceName: 'FGD <1>', turnIndex: 2, start: 10, end: 20, text: 'I  said\nthis' },
    ],
    hash: 'b'.repeat(64),
    status: 'returned' as const,
    sentHash: 'a'.repeat(64),
    version: 2,
    language: 'ur' as const,
    history: [{ at: '2026-01-02T10:30:00.000Z', status: 'sent', by: 'Sana', note: 'by <hand>' }],
    corrections: [{ before: 'x\r', after: 'y & z', at: '2026-01-03T09:00:00.000Z' }],
  };

  it('shows the status, a changed transcript since sending, the history and the corrections, escaped', () => {
    const page = membersView({ base, rows: [row] }, 'tok').text;
    expect(page).toContain('<span class="badge">returned</span><br><code class="hash">aaaaaaaaaaaa</code>');
    expect(page).toContain('transcript changed since sent');
    expect(page).toContain('<input type="hidden" name="version" value="2">');
    expect(page).toContain('<option value="ur" selected>Urdu</option>');
    expect(page).toContain(
      '<li>2026-01-02 10:30 UTC: sent (Sana) — <span dir="auto">by &lt;hand&gt;</span></li>',
    );
    expect(page).toContain('<del dir="auto">x&#13;</del> → <ins dir="auto">y &amp; z</ins>');
    expect(page).toContain('<option value="fgd1|2">FGD &lt;1&gt; #3: I said this…</option>');
    expect(page).toContain(`action="${base}/member-checks/p4/corrections"`);
  });

  it('offers no correction form without turns, and says when there are no participants', () => {
    const page = membersView(
      { base, rows: [{ ...row, items: [], sentHash: row.hash, history: [], corrections: [] }] },
      'tok',
    ).text;
    expect(page).not.toContain('Record a correction');
    expect(page).not.toContain('transcript changed since sent');
    expect(page).not.toContain('<details><summary>History');
    expect(membersView({ base, rows: [] }, 'tok').text).toContain('<p>No participants yet.</p>');
  });
});

const EVIL = `<script>alert("x")</script> 'q'`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39;q&#39;';

describe('transcripts list', () => {
  const row = {
    id: 'src-1',
    name: EVIL,
    language: 'ur',
    format: 'txt',
    length: 1200,
    turns: 30,
    participants: 4,
    segments: 7,
  };

  it('lists each transcript with its counts and a delete button, the name escaped', () => {
    const page = sourcesView({ base, blind: true, rows: [row] }, 'tok').text;
    expect(page).toContain(`<a href="${base}/sources/src-1" dir="auto">${ESCAPED}</a>`);
    expect(page).not.toContain('<script>');
    expect(page).toContain(
      '<td class="num">1200</td><td class="num">30</td><td class="num">4</td><td class="num">7</td>',
    );
    expect(page).toContain('>Your segments</th><th scope="col"><span class="muted">Actions</span></th>');
    expect(page).toContain(`action="${base}/sources/src-1/delete" class="inline"`);
    expect(page).toContain('<h2>Import a transcript</h2>');
    const open = sourcesView({ base, blind: false, rows: [] }, 'tok').text;
    expect(open).toContain('<p>No transcripts yet.</p>');
    expect(open).toContain('<input type="hidden" name="_csrf" value="tok">');
  });

  it('offers codable codes as checkboxes (checked as asked), the others as labels, names escaped', () => {
    const boxes = codeCheckboxes(
      [
        { id: 'c"1', name: EVIL, codable: true, color: '#1F77B4' },
        { id: 'c2', name: 'Group & co', codable: false },
        { id: 'c3', name: 'Merged', codable: true, mergedInto: 'c"1' },
      ] as never,
      new Set(['c"1']),
    ).text;
    expect(boxes).toContain(`value="c&quot;1" checked> <span class="swatch cc0"></span>${ESCAPED}</label>`);
    expect(boxes).toContain('<br><span class="muted d0">Group &amp; co</span>');
    expect(boxes).not.toContain('Merged');
  });

  it('keeps a carriage return in text as a character reference', () => {
    expect(textWithCr('a\r<b>\r').text).toBe('a&#13;&lt;b&gt;&#13;');
  });
});

describe('REFI-QDA exchange page', () => {
  const model = { base, blind: true, warnings: [`Code ${EVIL} has no name`], owner: true, empty: false };

  it('shows the exports, the blind notice, the warnings escaped and the owner the import form', () => {
    const page = exchangeView(model, 'tok').text;
    expect(page).toContain('Coding is blind, so the export holds your own segments');
    expect(page).toContain(`<li>Code ${ESCAPED} has no name</li>`);
    expect(page).toContain(`<a href="${base}/export.qdpx?layer=consensus">`);
    expect(page).toContain('<option value="qdpx">A project (.qdpx) — only into an empty project</option>');
    expect(page).toContain('<input type="hidden" name="_csrf" value="tok">');
  });

  it('shows an analyst no import form, and no notices when there is nothing to say', () => {
    const page = exchangeView({ ...model, blind: false, warnings: [], owner: false }, 'tok').text;
    expect(page).not.toContain('<form');
    expect(page).not.toContain('notice');
    expect(exchangeView({ ...model, empty: true }, 'tok').text).toContain(
      '<option value="qdpx">A project (.qdpx)</option>',
    );
  });
});

describe('audit trail', () => {
  const event = (seq: number, coderId: string, kind: 'segment' | 'code'): AuditEvent =>
    ({
      seq,
      actor: coderId,
      at: '2026-01-02T10:30:00.000Z',
      action: `${kind}.create`,
      entity: { kind, id: `${kind}-${seq}` },
      before: null,
      after: kind === 'segment' ? { coderId, memo: EVIL } : { name: 'x'.repeat(500) },
      prevHash: '0',
      hash: String(seq),
    }) as AuditEvent;
  const log = [event(1, 'u1', 'code'), event(2, 'u2', 'segment'), event(3, 'u1', 'segment')];
  const intact = { ok: true as const, count: 3, head: 'f'.repeat(64) };
  const model = (blind: boolean) =>
    auditModel({
      base,
      log,
      verification: intact,
      names: new Map([['u1', `Dr ${EVIL}`]]),
      blind,
      coderId: 'u1',
    });

  it('lists events newest first, masks other coders’ segments while blind and holds the downloads', () => {
    const m = model(true);
    expect(m.events.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(m.downloadable).toBe(false);
    expect(m.events[1]!.change).toBeNull();
    expect(m.events[2]!.change!.after).toHaveLength(401);
    const page = auditView(m).text;
    expect(page).toContain('3 events; the hash chain is intact. Head hash: <code class="hash">ffff');
    expect(page).toContain('<span class="sup">hidden while coding is blind</span>');
    expect(page).not.toContain(`${base}/audit.csv`);
    expect(page).toContain(`<td>Dr ${ESCAPED}</td>`);
    expect(page).toContain('<td>u2</td>');
    expect(page).toContain('<td>2026-01-02 10:30 UTC</td>');
    expect(page).toContain(
      `<code dir="ltr">{&quot;coderId&quot;:&quot;u1&quot;,&quot;memo&quot;:&quot;${ESCAPED.replace(/&quot;/g, '\\&quot;')}&quot;}</code>`,
    );
    expect(page).not.toContain('<script>');
  });

  it('shows everything once comparison is open, and says where a broken chain breaks, escaped', () => {
    const m = model(false);
    expect(m.downloadable).toBe(true);
    expect(m.events.every((e) => e.change !== null)).toBe(true);
    expect(auditView(m).text).toContain(`<a href="${base}/audit.csv">CSV</a>`);
    const broken = auditView({
      ...m,
      verification: {
        ok: false,
        index: 1,
        seq: 2,
        reason: 'hash_mismatch',
        intact: 1,
        message: `hash <${EVIL}> differs`,
      },
    }).text;
    expect(broken).toContain(
      `<p class="refusal"><strong>The hash chain is broken</strong> at event 2: hash &lt;${ESCAPED}&gt; differs</p>`,
    );
  });
});

describe('member-checking packet', () => {
  const packet = {
    participant: { id: 'p4', pseudonym: `P4 ${EVIL}` },
    items: [
      {
        sourceId: 's',
        sourceName: `FGD ${EVIL}`,
        turnIndex: 0,
        start: 0,
        end: 5,
        time: 65,
        text: `I <said>\r"this"`,
      },
    ],
    versionText: '',
    hash: 'c'.repeat(64),
  };

  it('is a whole document in the language asked for, with the participant’s turns escaped', () => {
    const en = packetView(packet as never, 'en', `Study ${EVIL}`).text;
    expect(en).toMatch(/^<!doctype html><html lang="en" dir="ltr">/);
    expect(en).toContain(`<title>Your words from the discussion, for you to check – P4 ${ESCAPED}</title>`);
    expect(en).toContain(`<span dir="auto">Study ${ESCAPED}</span> · Participant P4 ${ESCAPED}</p>`);
    expect(en).toContain(`<p class="meta">FGD ${ESCAPED} · Turn 1 · `);
    expect(en).toContain('<p class="turn" dir="auto">I &lt;said&gt;&#13;&quot;this&quot;</p>');
    expect(en).toContain(`Version: <span class="hash">${'c'.repeat(64)}</span>`);
    expect(en).not.toContain('<script>');
    const ur = packetView({ ...packet, items: [] } as never, 'ur', 'S').text;
    expect(ur).toMatch(/^<!doctype html><html lang="ur" dir="rtl">/);
    expect(ur).toContain('<p>متن میں آپ کی کوئی بات نہیں ملی۔</p>');
  });
});

describe('results and checklists', () => {
  const spec: TableSpec = {
    id: 't',
    title: `Results ${EVIL}`,
    columns: [{ key: 'a', label: 'Theme' }],
    rows: [{ kind: 'group', label: `Group ${EVIL}` }],
    notes: [],
  } as never;

  it('marks the chosen filter and links the downloads with it', () => {
    const page = resultsView({ base, include: 'final', spec }).text;
    expect(page).toContain(
      `<a href="${base}/results">All themes</a> · <a href="${base}/results?include=final" aria-current="page">`,
    );
    expect(page).toContain(`<a href="${base}/results.docx?include=final">Word</a>`);
    expect(page).toContain(`<caption>Results ${ESCAPED}</caption>`);
  });

  it('gives owners and analysts the metadata form, its values escaped; viewers no form', () => {
    const meta = {
      setting: `Room ${EVIL}`,
      sampleSize: 12,
      pilotTested: false,
      team: [{ label: 'R1', role: `mod <x>`, facilitator: true }],
    };
    const page = checklistsView({ base, coreq: spec, srqr: spec, form: { version: 5, meta } }, 'tok').text;
    expect(page).toContain('<input type="hidden" name="version" value="5">');
    expect(page).toContain(
      `<textarea id="m-setting" name="setting" rows="2" dir="auto">Room ${ESCAPED}</textarea>`,
    );
    expect(page).toContain('name="sampleSize" value="12"');
    expect(page).toContain('<option value="0" selected>no</option>');
    expect(page).toContain(
      '<textarea id="m-team" name="team" rows="4">R1 | mod &lt;x&gt; |  |  |  |  | yes</textarea>',
    );
    expect(page).not.toContain('<script>');
    const viewer = checklistsView({ base, coreq: spec, srqr: spec, form: null }, 'tok').text;
    expect(viewer).not.toContain('<form');
    expect(viewer).toContain(`<a href="${base}/checklists.md">Markdown</a>`);
  });
});

describe('refused change', () => {
  it('says why, escaped, with a link back to the page the form came from', () => {
    const page = refusalView(409, `Theme "${EVIL}" changed`, `${base}/themes`).text;
    expect(page).toContain('<h1>Not saved</h1>');
    expect(page).toContain(`<p class="refusal" role="alert">Theme &quot;${ESCAPED}&quot; changed</p>`);
    expect(page).toContain(`<a class="button" href="${base}/themes">Back</a>`);
    expect(refusalView(400, 'x', base).text).toContain('<h1>Please check</h1>');
  });
});

/** Researcher-written text that must reach the page as text. */
const HOSTILE = `<script>alert("x")</script> & 'q'`;
const HOSTILE_ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;';

describe('codebook and participants', () => {
  const codes = [
    ...project.codes,
    {
      id: 'evil',
      name: HOSTILE,
      parentId: 'support',
      definition: `Def ${HOSTILE}`,
      examples: [`Ex ${HOSTILE}`],
      codable: true,
    },
    {
      id: 'twin',
      name: 'Twin',
      parentId: null,
      definition: '',
      examples: [],
      codable: true,
      mergedInto: 'evil',
    },
  ];
  const model = (blind: boolean) => ({
    base,
    codes,
    blind,
    version: new Map([['workload', 3]]),
    uses: new Map([['workload', 2]]),
  });

  it('shows each code in tree order with its counts, badges and forms, researcher text escaped', () => {
    const page = codesView(model(false), 'tok').text;
    expect(page).toContain('8 codes. Segment counts are all coders’.');
    expect(codesView(model(true), 'tok').text).toContain('Segment counts are your own (coding is blind).');
    expect(page).toContain(
      '</span>Academic pressure <span class="badge">group</span> <span class="muted">(0 segments)</span></h3>',
    );
    expect(page).toContain(
      '<div class="card d1"><h3 dir="auto"><span class="swatch cc1"></span>Workload <span class="muted">(2 segments)</span>',
    );
    expect(page).toContain(`<h3 dir="auto">${HOSTILE_ESCAPED} <span class="muted">`);
    expect(page).toContain(`<p dir="auto">Def ${HOSTILE_ESCAPED}</p>`);
    expect(page).toContain(`<li dir="auto">Ex ${HOSTILE_ESCAPED}</li>`);
    expect(page).toContain(`value="${HOSTILE_ESCAPED}"`);
    expect(page).toContain(
      `<span class="badge">merged into “${HOSTILE_ESCAPED}” (consensus codebook)</span>`,
    );
    expect(page).toContain(`<option value="evil">Support needs › ${HOSTILE_ESCAPED}</option>`);
    expect(page).not.toContain('<script>alert');
    // The edit form: its version; a code cannot go under itself or its sub-codes.
    const workload = page.slice(page.indexOf('action="/studies/7/qual/codes/workload"'));
    expect(workload).toContain('<input type="hidden" name="version" value="3">');
    const acadForm = page.slice(page.indexOf('id="c-acad-parent"'), page.indexOf('id="c-acad-definition"'));
    expect(acadForm).not.toContain('value="workload"');
    expect(acadForm).toContain('value="support"');
    expect(page).toContain('<option value="acad" selected>Academic pressure</option>');
    expect(page).toContain('<button class="primary">Add code</button>');
    expect(page).toContain(`<a href="${base}/codebook.qdc">`);
  });

  it('lists participants with their confidential names, attributes and screening, escaped', () => {
    const [p1, p2] = project.participants;
    const evil = {
      ...p2!,
      id: 'p9',
      pseudonym: 'P9',
      name: HOSTILE,
      aliases: [HOSTILE],
      attributes: { note: HOSTILE },
    };
    const rows = [
      { participant: p1!, version: 2, turns: 3, consent: 'v1, signed 2025-03-01' },
      { participant: evil, version: 1, turns: 0, consent: HOSTILE },
    ];
    const owner = participantsView({ base, owner: true, rows }, 'tok').text;
    expect(owner).toContain('<strong>P1</strong><br><span class="muted">Participant 1</span>');
    expect(owner).toContain('<td class="num">3</td>');
    expect(owner).toContain('age: 22; gender: Female; year: 4');
    expect(owner).toContain('MBI-SS exhaustion 3.2; DASS-21 depression 8 — eligible');
    expect(owner).toContain(`<span dir="auto">${HOSTILE_ESCAPED}</span>`);
    expect(owner).toContain(`<td>note: ${HOSTILE_ESCAPED}</td>`);
    expect(owner).toContain(`<a href="${base}/consent">${HOSTILE_ESCAPED}</a>`);
    expect(owner).toContain(`value="${HOSTILE_ESCAPED}"`);
    expect(owner).toContain(
      `<textarea id="p-p9-aliases" name="aliases" dir="auto">${HOSTILE_ESCAPED}</textarea>`,
    );
    expect(owner).not.toContain('<script>alert');
    expect(owner).toContain(`action="${base}/participants/p1/withdraw"`);
    const analyst = participantsView({ base, owner: false, rows }, 'tok').text;
    expect(analyst).not.toContain('/withdraw');
    expect(analyst).toContain('<button class="primary">Add participant</button>');
    expect(participantsView({ base, owner: false, rows: [] }, 'tok').text).toContain(
      '<p>No participants yet.',
    );
  });
});

describe('memos and themes', () => {
  const names = new Map(project.coders.map((c) => [c.id, c.id === 'r2' ? HOSTILE : c.name]));

  it('shows the memo form and each memo, escaped; only the author may delete it', () => {
    const page = memosView(
      {
        base,
        timeline: [],
        targets: { sources: [{ id: 'fgd1', name: HOSTILE }], codes: [], themes: [{ id: 't1', name: 'T' }] },
        today: '2026-01-02',
        memos: [
          {
            id: 'm1',
            version: 2,
            at: '2026-01-02T10:30:00Z',
            author: HOSTILE,
            about: `code “${HOSTILE}”`,
            phase: 2,
            title: HOSTILE,
            text: `Line 1\n${HOSTILE}`,
            mine: true,
          },
          {
            id: 'm2',
            version: 1,
            at: '2026-01-01',
            author: 'B',
            about: 'project',
            text: 'Other',
            mine: false,
          },
        ],
      },
      'tok',
    ).text;
    expect(page).toContain('<option value="project" selected>The project</option>');
    expect(page).toContain(
      `<optgroup label="Transcripts"><option value="source:fgd1">${HOSTILE_ESCAPED}</option></optgroup>`,
    );
    expect(page).not.toContain('<optgroup label="Codes">');
    expect(page).toContain('value="2026-01-02" pattern="\\d{4}-\\d{2}-\\d{2}.*"');
    expect(page).toContain(
      `<p class="muted">2026-01-02 10:30 UTC · ${HOSTILE_ESCAPED} · about the code “${HOSTILE_ESCAPED}” · phase 2</p><h3 dir="auto">${HOSTILE_ESCAPED}</h3><p dir="auto" class="pre">Line 1\n${HOSTILE_ESCAPED}</p>`,
    );
    expect(page).toContain(`action="${base}/memos/m1/delete"`);
    expect(page).not.toContain(`action="${base}/memos/m2/delete"`);
    expect(page).toContain(
      '<p class="muted">2026-01-01 · B · about the project</p><p dir="auto" class="pre">Other</p></div>',
    );
    expect(page).not.toContain('<script>alert');
  });

  it('shows each theme with its codes, quotes, sign-offs and disagreements, escaped', () => {
    const [t1, t1a, t2] = project.themes;
    const evil = {
      ...t1!,
      name: HOSTILE,
      definition: `Def ${HOSTILE}`,
      supportNeeds: [HOSTILE],
      version: 2,
      status: 'reviewed' as const,
      signOffs: [
        { reviewerId: 'r2', at: '2026-01-02T10:30:00Z', version: 2 },
        { reviewerId: 'r1', at: '2026-01-01', version: 1 },
      ],
      disagreements: [
        { id: 'd1', reviewerId: 'r2', at: '2026-01-03', text: HOSTILE },
        {
          id: 'd2',
          reviewerId: 'r1',
          at: '2026-01-03',
          text: 'x',
          resolution: { by: 'r2', at: '2026-01-04', text: `Kept ${HOSTILE}` },
        },
      ],
    };
    const final = { ...t2!, status: 'final' as const };
    const page = themesView(
      {
        base,
        project: { ...project, themes: [evil, t1a!, final] },
        names,
        version: new Map([['t1', 5]]),
        codeName: new Map(project.codes.map((c) => [c.id, c.id === 'fear' ? HOSTILE : c.name])),
      },
      'tok',
    ).text;
    expect(page).toContain(`every reviewer (Researcher 1 (SK), ${HOSTILE_ESCAPED}, Researcher 3 (ZH))`);
    expect(page).toContain(
      `<div class="card d0" id="theme-t1"><h3 dir="auto">${HOSTILE_ESCAPED} <span class="badge status-reviewed">reviewed</span> <span class="muted">version 2</span></h3><p dir="auto">Def ${HOSTILE_ESCAPED}</p><p>Codes: Workload, ${HOSTILE_ESCAPED}</p><p>Support needs: ${HOSTILE_ESCAPED}</p>`,
    );
    expect(page).toContain(
      `<p>Sign-offs (version 2): ${HOSTILE_ESCAPED} (2026-01-02 10:30 UTC) · <span class="muted">1 stale (earlier version)</span></p>`,
    );
    expect(page).toContain(
      `<li><strong>${HOSTILE_ESCAPED}</strong> (2026-01-03): <span dir="auto">${HOSTILE_ESCAPED}</span><form method="post" action="${base}/themes/t1/disagreements/d1/resolve"`,
    );
    expect(page).toContain(
      `— <em>resolved by ${HOSTILE_ESCAPED}: <span dir="auto">Kept ${HOSTILE_ESCAPED}</span></em>`,
    );
    expect(page).toContain(
      '<input type="hidden" name="to" value="final"><input type="hidden" name="version" value="5"><button class="primary">Mark final</button>',
    );
    expect(page).toContain('Back to candidate');
    expect(page).toContain('Before it can be final: ');
    // The sub-theme sits under its theme; a final theme has no edit form; quotes are the core's.
    expect(page.indexOf('id="theme-t1a"')).toBeGreaterThan(page.indexOf('id="theme-t1"'));
    expect(page).toContain('<div class="card d1" id="theme-t1a">');
    const finalCard = page.slice(page.indexOf('id="theme-t2"'), page.indexOf('<h2>Add a theme'));
    expect(finalCard).toContain('Reopen (reviewed)');
    expect(finalCard).not.toContain('<summary>Edit</summary>');
    expect(finalCard).not.toContain('Before it can be final');
    expect(page).toContain('<blockquote class="quote" dir="auto">“The amount of material');
    expect(page).toContain('<input type="checkbox" name="quotes" value="s1" checked>');
    expect(page).toContain(`<span class="muted">coded by ${HOSTILE_ESCAPED}</span>`);
    expect(page).not.toContain('<script>alert');
  });
});
