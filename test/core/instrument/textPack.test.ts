import { describe, expect, it } from 'vitest';
import {
  fnv1a64,
  instrumentTextFingerprint,
  normalizeText,
  textPackFingerprint,
} from '../../../src/core/instrument/fingerprint.js';
import type { Instrument, TextPack } from '../../../src/core/instrument/schema.js';
import { applyTextPack, parseTextPack, textPackTemplate } from '../../../src/core/instrument/textPack.js';
import { getInstrument } from '../../../src/instruments/index.js';

const get = (id: string): Instrument => getInstrument(id)!;

describe('fnv1a64', () => {
  it('matches the published FNV-1a 64 test vectors', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });
  it('hashes UTF-8 bytes (checked with an independent implementation)', () => {
    expect(fnv1a64('é')).toBe('0ac21707b7181e01');
    expect(fnv1a64('Feeing embarrassed or ashamed')).toBe('44c8f0839618a4b2');
  });
  it('hashes 3- and 4-byte characters, and a lone surrogate as U+FFFD (values of the former hand-written encoder)', () => {
    expect(fnv1a64('😀 ok')).toBe('ba2eeea92b7b161a');
    expect(fnv1a64('a\ud800b')).toBe('6793f3a9fb1eeead');
    expect(fnv1a64('اردو ۱۲')).toBe('80ed376186118480');
    expect(fnv1a64('\u0800\uffff\u{10ffff}')).toBe('b4fdcf4a7e2dddf1');
  });
  it('normalizes white space and Unicode composition only', () => {
    expect(normalizeText('  a\u00a0 b\n\tc ')).toBe('a b c');
    expect(normalizeText('e\u0301')).toBe('\u00e9');
    expect(normalizeText('A, b')).not.toBe(normalizeText('A b'));
  });
});

function pssPack(over: Partial<TextPack> = {}): TextPack {
  const items: Record<string, string> = {};
  for (let i = 1; i <= 10; i++) items[`pss10_${String(i).padStart(2, '0')}`] = `Licensed item text ${i}`;
  return {
    instrument: 'pss10',
    version: '1988',
    language: 'en',
    licensee: 'Example University',
    items,
    scales: { pss10_frequency: { '0': 'Zero', '1': 'One', '2': 'Two', '3': 'Three', '4': 'Four' } },
    instructions: 'Licensed instructions.',
    ...over,
  };
}

describe('applyTextPack', () => {
  it('fills the text of a structure-only instrument and records the pack', () => {
    const pss = get('pss10');
    const r = applyTextPack(pss, pssPack());
    expect(r.ok ? [] : r.issues).toEqual([]);
    if (!r.ok) return;
    expect(r.value.items[3]!.text).toEqual({ en: 'Licensed item text 4' });
    expect(r.value.items[3]!.reverse).toBe(true); // keys untouched
    expect(r.value.scales[0]!.options[4]!.label.en).toBe('Four');
    expect(r.value.instructions).toEqual({ en: 'Licensed instructions.' });
    expect(r.value.appliedTextPacks).toEqual([
      {
        language: 'en',
        version: '1988',
        licensee: 'Example University',
        fingerprint: textPackFingerprint(pssPack()),
        matchesKnownText: null,
      },
    ]);
    // the library copy is unchanged
    expect(pss.items[3]!.text).toBeUndefined();
    expect(pss.appliedTextPacks).toBeUndefined();
  });

  it('reports unknown and missing item ids together', () => {
    const p = pssPack();
    delete p.items.pss10_03;
    p.items.pss10_11 = 'extra';
    const r = applyTextPack(get('pss10'), p);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.path, i.code])).toEqual([
      ['items.pss10_11', 'unknown_item'],
      ['items.pss10_03', 'missing_item'],
    ]);
  });

  it('reports a pack for another instrument, another version, unknown scales and option values', () => {
    expect(applyTextPack(get('pss10'), pssPack({ instrument: 'phq9' }))).toMatchObject({
      ok: false,
      issues: [{ code: 'wrong_instrument' }],
    });
    const r = applyTextPack(
      get('pss10'),
      pssPack({ version: '1983', scales: { nope: { '1': 'x' }, pss10_frequency: { '5': 'Five' } } }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues.map((i) => i.code)).toEqual(['version_mismatch', 'unknown_scale', 'unknown_option']);
  });

  it('rejects malformed packs with schema issues', () => {
    const r = applyTextPack(get('pss10'), { instrument: 'pss10' });
    expect(r.ok).toBe(false);
    expect(parseTextPack({ instrument: 'pss10' }).ok).toBe(false);
  });

  it("refuses to change the owner's verified wording", () => {
    const phq = get('phq9');
    const items = Object.fromEntries(phq.items.map((i) => [i.id, i.text!.en!]));
    items.phq9_2 = 'Feeling down, depressed or hopeless'; // comma removed
    const r = applyTextPack(phq, { instrument: 'phq9', version: '1', language: 'en', licensee: 'x', items });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues).toEqual([expect.objectContaining({ path: 'items.phq9_2', code: 'would_modify' })]);
    const labels = applyTextPack(phq, {
      instrument: 'phq9',
      version: '1',
      language: 'en',
      licensee: 'x',
      items: {},
      scales: { phq_frequency: { '0': 'Never' } },
    });
    expect(labels.ok).toBe(false);
  });

  it('adds a translation in a new language', () => {
    const gad = get('gad7');
    const items = Object.fromEntries(gad.items.map((i) => [i.id, `ur ${i.id}`]));
    const r = applyTextPack(gad, {
      instrument: 'gad7',
      version: '1',
      language: 'ur',
      licensee: 'Translator',
      items,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.languages).toEqual(['en', 'ur']);
    expect(r.value.items[0]!.text).toEqual({ en: 'Feeling nervous, anxious or on edge', ur: 'ur gad7_1' });
  });

  it('may replace the unverified BACE wording (items 14, 24, 29) and marks it verified', () => {
    const bace = get('bace3');
    const r = applyTextPack(bace, {
      instrument: 'bace3',
      version: '3',
      language: 'en',
      licensee: 'Registered study',
      instructions: 'Official instructions.',
      items: { bace3_24: 'Official item 24 wording' },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const it24 = r.value.items[23]!;
    expect(it24.text?.en).toBe('Official item 24 wording');
    expect(it24.verified).toBe(true);
    expect(it24.note).toMatch(/Registered study/);
    expect(r.value.items[13]!.verified).toBe(false);
    const bad = applyTextPack(bace, {
      instrument: 'bace3',
      version: '3',
      language: 'en',
      licensee: 'x',
      items: { bace3_09: 'Feeling embarrassed or ashamed' },
    });
    expect(bad).toMatchObject({ ok: false, issues: [{ code: 'would_modify', path: 'items.bace3_09' }] });
  });

  it('flags a pack whose text differs from the known text (fingerprints)', () => {
    const known = textPackFingerprint(pssPack());
    const pss = { ...get('pss10'), textFingerprints: { en: [known] } } as Instrument;
    const same = applyTextPack(pss, pssPack({ licensee: 'Another licensee' }));
    expect(same.ok && same.value.appliedTextPacks?.[0]?.matchesKnownText).toBe(true);
    // white space does not matter …
    const spaced = pssPack();
    spaced.items.pss10_01 = '  Licensed   item text 1 ';
    const s2 = applyTextPack(pss, spaced);
    expect(s2.ok && s2.value.appliedTextPacks?.[0]?.matchesKnownText).toBe(true);
    // … a changed word does
    const changed = pssPack();
    changed.items.pss10_01 = 'Licensed item txt 1';
    const s3 = applyTextPack(pss, changed);
    expect(s3.ok && s3.value.appliedTextPacks?.[0]?.matchesKnownText).toBe(false);
  });

  it('a pack holding exactly the shipped text has the instrument text fingerprint', () => {
    const phq = get('phq9');
    const tpl = textPackTemplate(phq, 'en', 'x');
    const pack: TextPack = { ...tpl, items: tpl.items, scales: tpl.scales };
    expect(textPackFingerprint(pack)).toBe(instrumentTextFingerprint(phq, 'en'));
    expect(instrumentTextFingerprint(phq, 'en')).not.toBe(instrumentTextFingerprint(get('gad7'), 'en'));
  });
});
