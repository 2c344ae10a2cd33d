/**
 * The `nabz` command as a user runs it (the built dist/cli/main.js; `npm test` builds first): exit codes,
 * messages that name the thing, the bad value and the fix, and nothing written on failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const example = join(root, 'examples', 'bace-medical-students');
const study = join(example, 'study.json');

function nabz(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('nabz CLI', () => {
  it('is built', () => expect(existsSync(cli), 'run npm run build').toBe(true));

  it('analyze writes every format for the example study', () => {
    const out = mkdtempSync(join(tmpdir(), 'nabz-cli-'));
    const r = nabz('analyze', join(example, 'responses.csv'), '--study', study, '--out', out);
    expect(r.code, r.err).toBe(0);
    for (const f of [
      'report.md',
      'report.html',
      'report.json',
      'report.txt',
      'tables/bace3_endorsement.csv',
      'figures/bace3_top_endorsed.svg',
      'figures/bace3_top_endorsed.png',
      'report.docx',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)[^"' ]+\.(js|css)/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/Scoring: official BACE v3 subscales/);
  });

  it('an unknown answer label is an error naming row, column and value, and nothing is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabz-cli-'));
    const lines = readFileSync(join(example, 'responses.csv'), 'utf8').split('\n');
    lines[13] = lines[13]!.replace(/,(Female|Male),/, ',F,');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, lines.join('\n'));
    const out = join(dir, 'out');
    const r = nabz('analyze', bad, '--study', study, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Row 14, column "Gender": "F" is not one of Female, Male/);
    expect(r.err).toMatch(/mapping file/);
    expect(existsSync(out)).toBe(false);
  });

  it('bad arguments exit 2 with the usage', () => {
    const r = nabz('analyze', 'x.csv', '--study', study, '--bogus');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Unknown option '--bogus'/);
    expect(r.err).toMatch(/Usage: nabz analyze/);
    expect(nabz('frobnicate').code).toBe(2);
    expect(nabz('analyze', 'x.csv').err).toMatch(/give exactly one of --study or --instrument/);
    // A bad server setting is a configuration error (exit 2, naming the value), before anything starts.
    const serve = nabz('serve', '--port', 'eighty');
    expect(serve.code).toBe(2);
    expect(serve.err).toMatch(/--port=eighty is not a port number/);
  });

  it('a missing file and an invalid study are clear errors', () => {
    const r = nabz('analyze', 'nope.csv', '--study', study);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/There is no file "nope.csv"/);
    const dir = mkdtempSync(join(tmpdir(), 'nabz-cli-'));
    const s = JSON.parse(readFileSync(study, 'utf8'));
    delete s.instruments[0].termsAcknowledged;
    s.analysis.groupBy = ['nope'];
    writeFileSync(join(dir, 'study.json'), JSON.stringify(s));
    const r2 = nabz('analyze', join(example, 'responses.csv'), '--study', join(dir, 'study.json'));
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/requires its owner's terms to be acknowledged/);
    expect(r2.err).toMatch(/group variable "nope" is not a question of this study/);
  });

  it('samplesize reproduces the seed study (p = 0.425, d = 0.07, 95% → 192)', () => {
    const r = nabz('samplesize', 'proportion', '--p', '0.425', '--margin', '0.07');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/n = 192/);
    expect(nabz('samplesize', 'proportion', '--p', '1.5', '--margin', '0.07').code).toBe(2);
  });

  it('ttest --summary says which test reproduces a published p and that p = .022 is significant', () => {
    const r = nabz(
      'ttest',
      '--summary',
      '--a',
      '158,1.0866,0.53186',
      '--b',
      '59,0.899,0.54317',
      '--reported-p',
      '0.022',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/reproduced by the Student test/);
    expect(r.out).toMatch(/calling it "not significant" would be wrong/);
    expect(nabz('ttest', '--summary', '--a', '158,1.0866', '--b', '59,0.899,0.54317').code).toBe(2);
  });

  it('instruments list and show', () => {
    const r = nabz('instruments', 'list');
    expect(r.code).toBe(0);
    for (const id of ['bace3', 'dass21', 'phq9', 'gad7', 'cbi', 'mbiss', 'pss10'])
      expect(r.out).toContain(id);
    expect(nabz('instruments', 'show', 'phq9').out).toMatch(
      /No permission required to reproduce, translate, display or distribute/,
    );
    expect(nabz('instruments', 'show', 'nope').code).toBe(1);
  });

  it('simulate is deterministic: it regenerates the committed example data byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabz-cli-'));
    const out = join(dir, 'r.csv');
    const r = nabz('simulate', '--study', study, '--spec', join(example, 'simulation.json'), '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(example, 'responses.csv'), 'utf8'));
  });

  it('simulate → analyze round trip for every question type (grid rows headed "Stem [Row]", numbers within min/max)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabz-cli-'));
    const qs = join(root, 'test', 'goldens', 'data', 'questions_synthetic.study.json');
    const csv = join(dir, 'r.csv');
    expect(nabz('simulate', '--study', qs, '--n', '200', '--seed', '3', '--out', csv).code).toBe(0);
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toContain(
      'How much do you agree? [I would seek help if I needed it]',
    );
    const r = nabz('analyze', csv, '--study', qs, '--out', join(dir, 'out'));
    expect(r.code, r.err).toBe(0);
    for (const f of [
      'tables/mc_coping.csv',
      'tables/grid_work.csv',
      'figures/grid_work_fig.svg',
      'tables/numbers.csv',
    ])
      expect(existsSync(join(dir, 'out', f)), f).toBe(true);
  });

  it('score writes one row per respondent with scores, bands and n', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabz-cli-'));
    const r = nabz('score', join(example, 'responses.csv'), '--study', study, '--out', join(dir, 's.csv'));
    expect(r.code, r.err).toBe(0);
    const lines = readFileSync(join(dir, 's.csv'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(218);
    expect(lines[0]).toMatch(/^row,bace3_stigma,bace3_stigma_n,/);
  });
});
