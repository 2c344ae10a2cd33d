/**
 * The studio pages' views as pure functions of their models (issue 13: load → core → view(model)), and the
 * pure form readers the handlers call: each tested without a server or a database.
 */
import { describe, expect, it } from 'vitest';
import { progressModel } from '../../src/core/study/progress.js';
import { HttpError } from '../../src/server/errors.js';
import { type AnalysisPageModel, analysisView } from '../../src/server/studio/analysisView.js';
import { readNewStudy } from '../../src/server/studio/dashboard.js';
import { dashboardView } from '../../src/server/studio/dashboardView.js';
import { exportChoice } from '../../src/server/studio/exports.js';
import { readInviteRequest, slipsView } from '../../src/server/studio/invitelinks.js';
import { layout } from '../../src/server/studio/layout.js';
import { type OverviewModel, overviewView } from '../../src/server/studio/overviewView.js';
import { progressPages } from '../../src/server/studio/progress.js';
import { progressJson, progressView } from '../../src/server/studio/progressView.js';
import { html } from '../../src/server/ui/html.js';
import { dataTable } from '../../src/server/ui/table.js';
import type { Store, Study } from '../../src/store/index.js';
import { baceStudyDefinition, phq9StudyDefinition } from './helpers.js';

const user = { displayName: 'Dr Owner', email: 'owner@example.org' };

describe('the studio layout', () => {
  it('starts every page with a skip link to the content, after the header and the tabs', () => {
    const page = layout({
      title: 'T',
      body: html`<h1>Body</h1>`,
      study: { id: 3, title: 'S', status: 'open', role: 'owner' },
      active: 'progress',
    }).text;
    const skip = page.indexOf('<a class="skip" href="#content">Skip to content</a>');
    expect(skip).toBeGreaterThan(page.indexOf('<body>'));
    expect(skip).toBeLessThan(page.indexOf('<header'));
    expect(page.indexOf('<div id="content" tabindex="-1"><h1>Body</h1></div>')).toBeGreaterThan(
      page.indexOf('<nav aria-label="Study">'),
    );
    expect(page).not.toContain('http-equiv="refresh"');
  });

  it('puts data tables in named, keyboard-reachable scroll boxes', () => {
    expect(dataTable(['A', 'B'], [['1', '<2>']], { label: 'Things' }).text).toBe(
      '<div class="wrap" tabindex="0" role="region" aria-label="Things"><table><thead><tr><th scope="col">A</th><th scope="col">B</th></tr></thead><tbody><tr><td>1</td><td>&lt;2&gt;</td></tr></tbody></table></div>',
    );
    expect(dataTable(['Code', 'Count'], []).text).toContain('aria-label="Table: Code, Count"');
    expect(dataTable(['A'], [], { caption: 'Cap "1"' }).text).toContain('aria-label="Cap &quot;1&quot;"');
  });
});

describe("progressPages (the drop-off table's pages)", () => {
  const study = (version: number, definition: unknown) =>
    ({ id: 1, version, definition }) as unknown as Study;
  const ids = (pages: ReturnType<typeof progressPages>) => pages?.map((p) => p.id);

  it('checks a study version once per store, and a new version or another store again', () => {
    const storeA = {} as Store;
    const storeB = {} as Store;
    const first = progressPages(storeA, study(1, phq9StudyDefinition()));
    expect(ids(first)).toEqual(['p1', 'p2']);
    // The same version again (a poll): the same pages, not checked again.
    expect(progressPages(storeA, study(1, phq9StudyDefinition()))).toBe(first);
    // A new version is checked: its own pages.
    expect(ids(progressPages(storeA, study(2, baceStudyDefinition())))).toEqual(
      expect.arrayContaining(['consent', 'e1', 'p1', 'p2']),
    );
    // Another store whose study has the same id and version is not given this store's pages.
    expect(ids(progressPages(storeB, study(1, baceStudyDefinition())))).toContain('consent');
    // A definition that does not resolve has no pages (the table is left out).
    expect(progressPages(storeB, study(2, { instruments: [{ instrument: 'nope' }] }))).toBeUndefined();
  });
});

describe('progressView', () => {
  const model = progressModel({
    counters: { totals: { started: 10, completed: 6, page_p1: 10 }, days: [] },
    storedResponses: 6,
    pages: [{ id: 'p1', title: 'Questions <1>' }],
    k: 5,
    audience: 'exact',
  });
  const page = progressView({
    model,
    pageUrl: '/studies/2/progress',
    jsonUrl: '/studies/2/progress.json',
  }).text;

  it('marks what the script updates, offers pause and a manual refresh, and reloads nothing', () => {
    expect(page).toContain('data-live="/studies/2/progress.json" data-every="10"');
    expect(page).toContain('<a href="/studies/2/progress" id="live-refresh">Refresh now</a>');
    expect(page).toContain(
      '<button type="button" id="live-pause" aria-pressed="false" hidden>Pause updates</button>',
    );
    expect(page).toContain('<span class="muted" id="live-status" role="status">');
    expect(page).toContain('<b id="n-completed" data-k="completed">6</b>');
    expect(page).toContain('<tbody data-rows="dropoff" data-text="2">');
    expect(page).toContain('<tbody data-rows="days" data-text="1">');
    expect(page).toContain('<p class="muted" id="no-days">No one has started yet.</p>');
    // Titles are escaped; tables scroll in named regions.
    expect(page).toContain('Questions &lt;1&gt; (p1)');
    expect(page).toContain('<div class="wrap" tabindex="0" role="region" aria-label="Drop-off by page">');
  });

  it('sends the JSON the same figures as the page', () => {
    const j = progressJson(model);
    expect(j.stats).toEqual(model.stats);
    expect(j.dropoff?.[0]?.cells).toEqual(['1', 'Questions <1> (p1)', '10', '100%']);
    expect(j.days).toEqual([]);
  });

  it('tells a viewer why the counts are rounded', () => {
    const viewer = progressModel({
      counters: { totals: { started: 10 }, days: [] },
      storedResponses: 6,
      pages: undefined,
      k: 5,
      audience: 'protected',
    });
    const v = progressView({ model: viewer, pageUrl: '/p', jsonUrl: '/p.json' }).text;
    expect(v).toContain('counts rounded down to a multiple of k = 5');
    expect(v).not.toContain('Drop-off by page');
  });
});

describe('analysisView', () => {
  const base: AnalysisPageModel = {
    studyId: 4,
    k: 5,
    n: 3,
    audience: 'exact',
    isOwner: true,
    groups: [{ id: 'year', label: 'Year of study', checked: true }],
    groupQuery: 'group=year',
    report: undefined,
    reviewCard: undefined,
  };

  it('below k: says how many so far (owners, analysts) and shows no report or downloads', () => {
    const page = analysisView(base, 'tok').text;
    expect(page).toContain('3 responses so far. The analysis is shown once at least k = 5 respondents');
    expect(page).not.toContain('report.html');
    expect(page).toMatch(/name="group" value="year" checked/);
    expect(page).toContain('href="/studies/4/plan">Analysis plan</a>');
  });

  it("from k: the report fragment as rendered, the downloads with the chosen groups, the review card with the page's token", () => {
    const page = analysisView(
      {
        ...base,
        n: 12,
        report: '<div class="report"><p>R</p></div>',
        reviewCard: (csrf) => html`<section id="review">${csrf}</section>`,
      },
      'tok',
    ).text;
    expect(page).toContain('<div class="report"><p>R</p></div>');
    expect(page).toContain('href="/studies/4/analysis/report.html?group=year" download');
    expect(page).toContain('<section id="review">tok</section>');
    expect(page).toContain(
      '<p class="muted">12 responses · cells with fewer than 5 respondents are suppressed.</p>',
    );
  });

  it('a viewer below k learns no count, and is told about the published batches', () => {
    const page = analysisView({ ...base, audience: 'protected', isOwner: false }, 'tok').text;
    expect(page).toContain('Fewer than 5 responses · published in batches of at least 5 responses');
    expect(page).not.toContain('3 responses');
    expect(page).not.toContain('Analysis plan');
  });
});

describe('overviewView', () => {
  const model: OverviewModel = {
    studyId: 7,
    title: 'Burnout <2026>',
    archivedAt: null,
    status: 'draft',
    responses: '0',
    version: 3,
    k: 5,
    dates: 'created 2026-12-01',
    launch: {
      refused: undefined,
      problems: [{ path: 'instruments', code: 'empty', message: 'the study asks nothing yet' }],
      warnings: ['placeholder wording'],
      drafts: 0,
    },
    summary: {
      languages: 'English, Urdu',
      instruments: [
        { known: true, title: 'PHQ-9', items: 10, attribution: 'Kroenke' },
        { known: false, id: 'gone' },
      ],
      questions: ['age', 'year'],
      consent: 'version 2',
      eligibility: { questions: 1, rule: 'enrolled = 1' },
      supportContacts: [],
      privacy: 'anonymous; dates only, no times; referral links off.',
    },
  };

  it('shows the figures, the launch check and what the study asks, escaped', () => {
    const page = overviewView(model, 'tok').text;
    expect(page).toContain('<h1 dir="auto">Burnout &lt;2026&gt;</h1>');
    expect(page).toContain('<strong>Before launch:</strong>');
    expect(page).toContain('<li>placeholder wording</li>');
    expect(page).not.toContain('Ready: everything a launch needs');
    expect(page).toContain('<a class="button primary" href="/studies/7/launch">Launch…</a>');
    expect(page).toContain('id="study-actions"');
    expect(page).toContain('<code>age</code>, <code>year</code>');
    expect(page).toContain('<li>Unknown instrument gone</li>');
    expect(page).toContain('eligible if <code>enrolled = 1</code>');
    expect(page).toContain('<strong>Support contacts:</strong> none');
  });

  it('offers close on an open study and nothing of the launch to other roles', () => {
    const open = overviewView(
      { ...model, status: 'open', launch: { ...model.launch!, drafts: 2 } },
      'tok',
    ).text;
    expect(open).toContain('2 unfinished questionnaires kept');
    expect(open).toContain('>Close the study</button>');
    expect(overviewView({ ...model, launch: undefined }, 'tok').text).not.toContain('id="launch"');
  });
});

describe('dashboardView and readNewStudy', () => {
  it('lists studies and invitations, each answer button naming its study', () => {
    const page = dashboardView(
      {
        studies: [
          { id: 1, title: 'A & B', role: 'owner', status: 'open', responses: '12', updated: '2026-12-01' },
        ],
        invitations: [{ studyId: 2, studyTitle: 'Sleep', role: 'analyst' } as never],
      },
      'tok',
    ).text;
    expect(page).toContain('<a href="/studies/1" dir="auto">A &amp; B</a>');
    expect(page).toContain('>Accept “Sleep”</button>');
    expect(page).toContain('>Decline “Sleep”</button>');
    expect(page).toContain('aria-label="Your studies"');
  });

  it('names every problem of the new-study form, and builds the definition when there is none', () => {
    const bad = readNewStudy({ title: '', instruments: ['nope', 'mbi_ss'] }, user, 5, new Date());
    expect(bad.ok).toBe(false);
    const paths = bad.ok ? [] : bad.issues.map((i) => `${i.path}:${i.code}`);
    expect(paths).toEqual(
      expect.arrayContaining(['title:required', 'languages:required', 'instruments:unknown']),
    );
    const good = readNewStudy(
      { title: 'PHQ study', languages: ['en', 'xx'], instruments: 'phq9' },
      user,
      5,
      new Date('2026-12-07T10:00:00Z'),
    );
    expect(good.ok && good.value.languages).toEqual(['en']);
    expect(good.ok && good.value.definition.instruments?.map((i) => i.instrument)).toEqual(['phq9']);
  });
});

describe('exportChoice and readInviteRequest', () => {
  const anonymous = { anonymous: true, recordTimes: false };

  it('reads the export form, refusing an unknown format and times a study does not keep', () => {
    expect(exportChoice({ format: 'sav', labels: 'labels' }, anonymous, true)).toEqual({
      format: 'sav',
      options: {
        labels: 'labels',
        missing: 'empty',
        includeFreeText: false,
        includeTimes: false,
        includeScores: false,
        includeSource: true,
      },
    });
    expect(exportChoice({ format: 'scored' }, anonymous, false).options.includeScores).toBe(true);
    expect(() => exportChoice({ format: 'pdf' }, anonymous, false)).toThrow(/"pdf" is not an export format/);
    expect(() => exportChoice({ format: 'csv', includeTimes: 'on' }, anonymous, false)).toThrow(
      /does not record times/,
    );
  });

  it('reads the invitation form: labels make one link each, else a count from 1 to 1000', () => {
    expect(readInviteRequest({ format: 'csv', labels: 'Ali\r\n\r\n Sara \n' })).toEqual({
      format: 'csv',
      labels: ['Ali', 'Sara'],
      n: 2,
    });
    expect(readInviteRequest({ format: 'print', count: '30' }).n).toBe(30);
    for (const bad of [
      { format: 'pdf', count: '3' },
      { format: 'csv', count: '0' },
      { format: 'csv', count: '2.5' },
    ])
      expect(() => readInviteRequest(bad)).toThrow(HttpError);
  });

  it('prints one slip per link, label and link escaped, the QR code as given', () => {
    const page = slipsView('Class <A>', [
      { label: 'Ali & co', link: 'http://x/s/t?i=abc', qr: '<svg role="img"></svg>' },
    ]).text;
    expect(page).toContain('Invitation links – Class &lt;A&gt;');
    expect(page).toContain('these 1 links');
    expect(page).toContain('<b>Ali &amp; co</b></p><div class="qr"><svg role="img"></svg></div>');
  });
});
