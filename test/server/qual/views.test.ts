/**
 * The qualitative pages' views as pure functions of their models (src/server/qual/overviewView.ts,
 * sourcesView.ts): what each shows for each role, escaping of researcher-written text, nothing shown that the
 * model does not hold.
 */
import { describe, expect, it } from 'vitest';
import { importReportView } from '../../../src/server/qual/exchangeView.js';
import { membersView } from '../../../src/server/qual/membersView.js';
import { overviewModel, overviewView, startView } from '../../../src/server/qual/overviewView.js';
import { codingModel, codingView, importedView } from '../../../src/server/qual/sourcesView.js';
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
