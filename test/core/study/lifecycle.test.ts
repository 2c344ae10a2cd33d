import { describe, expect, it } from 'vitest';
import { launchChecklist, publicAddressIssue } from '../../../src/core/study/launch.js';
import {
  copyTitle,
  deleteConfirmationIssue,
  duplicateDefinition,
} from '../../../src/core/study/lifecycle.js';

describe('duplicating a study', () => {
  it('titles the copy "Copy of …", cut to 200 characters', () => {
    expect(copyTitle(' Exams ')).toBe('Copy of Exams');
    const long = copyTitle('x'.repeat(300));
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });

  it('keeps the design, drops the terms record, resets the consent version, leaves the source alone', () => {
    const source = {
      id: 'exams',
      title: 'Exams',
      instruments: [
        { instrument: 'bace3', termsAcknowledged: { by: 'A', at: '2026-01-01' } },
        { instrument: 'phq9' },
      ],
      questions: [{ id: 'age', type: 'number', text: { en: 'Age' } }],
      collection: { consent: { version: 3, text: { en: 'I agree' } }, minCellSize: 8 },
    };
    const before = structuredClone(source);
    const copy = duplicateDefinition(source, 'Copy of Exams');
    expect(copy).toEqual({
      id: 'exams',
      title: 'Copy of Exams',
      instruments: [{ instrument: 'bace3' }, { instrument: 'phq9' }],
      questions: [{ id: 'age', type: 'number', text: { en: 'Age' } }],
      collection: { consent: { version: 1, text: { en: 'I agree' } }, minCellSize: 8 },
    });
    expect(source).toEqual(before);
  });

  it("a title per language: the first language's becomes the copy's, the others are kept", () => {
    const copy = duplicateDefinition(
      { id: 'exams', title: { en: 'Exams', ur: 'امتحانات' }, languages: ['en', 'ur'] },
      'Copy of Exams',
    );
    expect(copy.title).toEqual({ en: 'Copy of Exams', ur: 'امتحانات' });
  });
});

describe('confirming a deletion', () => {
  it('needs the title typed exactly (surrounding spaces ignored)', () => {
    expect(deleteConfirmationIssue('  Exams 2026 ', 'Exams 2026')).toBeUndefined();
    expect(deleteConfirmationIssue('exams 2026', 'Exams 2026')?.message).toBe(
      '"exams 2026" is not the study\'s title: type "Exams 2026" exactly to delete the study and all its data',
    );
    expect(deleteConfirmationIssue('', 'Exams 2026')).toMatchObject({
      path: 'confirm',
      code: 'confirm_mismatch',
    });
  });
});

describe('the launch checklist', () => {
  it('warns about addresses a phone cannot reach', () => {
    for (const url of [
      'http://localhost:3000',
      'http://127.0.0.1:8080',
      'http://[::1]:3000',
      'http://0.0.0.0',
      'http://app.localhost',
    ])
      expect(publicAddressIssue(url)?.code, url).toBe('localhost_url');
    for (const url of [
      'https://survey.example.org',
      'http://192.168.1.20:3000',
      'https://localhost.example.org',
    ])
      expect(publicAddressIssue(url), url).toBeUndefined();
    expect(publicAddressIssue('not a url')?.code).toBe('invalid_url');
  });

  it('puts every problem and warning on one line, blocking or unverified', () => {
    const w = (code: string, message: string) => ({ path: 'instruments', code, message });
    const c = launchChecklist({
      problems: [
        { path: 'collection.supportContacts', code: 'no_support_contacts', message: 'add a contact' },
      ],
      warnings: [
        w('unverified_wording', 'BACE 14 is a placeholder'),
        w('missing_stem', 'no stem'),
        w('no_consent', 'no consent'),
        w('missing_translation', 'no Urdu'),
        w('something_new', 'a new kind of warning'),
      ],
      publicUrl: 'http://localhost:3000',
    });
    expect(c.canLaunch).toBe(false);
    expect(c.items.map((i) => [i.key, i.status, i.details.length])).toEqual([
      ['ready', 'blocking', 1],
      ['wording', 'unverified', 1],
      ['stems', 'unverified', 1],
      ['consent', 'unverified', 1],
      ['translations', 'unverified', 2],
      ['address', 'unverified', 1],
    ]);
    expect(c.unverified).toBe(5);
    const clean = launchChecklist({ problems: [], warnings: [], publicUrl: 'https://survey.example.org' });
    expect(clean).toMatchObject({ canLaunch: true, unverified: 0 });
    expect(clean.items.every((i) => i.status === 'done' && i.details.length === 0)).toBe(true);
  });
});
