/**
 * Text packs: item wording supplied by a user who holds the licence for an instrument whose text this
 * repository may not ship (MBI-SS, PSS-10), or a translation of one whose text it ships.
 *
 * Applying a pack never changes wording the owner published: a pack may add text in a language the
 * instrument lacks, fill items that carry no text, and replace the wording of items marked
 * `verified: false` (e.g. BACE items 14, 24, 29, whose shipped wording is a flagged placeholder).
 * Replacing verified wording is refused — both the DASS and BACE owners forbid modifying their scales.
 */
import { at } from '../stats/at.js';
import { textPackFingerprint } from './fingerprint.js';
import {
  type Instrument,
  InstrumentSchema,
  type Issue,
  type TextPack,
  TextPackSchema,
  toIssues,
  type Validated,
} from './schema.js';

/** Parse a text pack (e.g. read from JSON); never throws. */
export function parseTextPack(input: unknown): Validated<TextPack> {
  const r = TextPackSchema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: toIssues(r.error) };
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/**
 * Fill an instrument's item text, instructions and option labels in `pack.language` from a text pack.
 *
 * Reports (all at once, nothing applied when any is found):
 * - `wrong_instrument`, `version_mismatch`: the pack is for another instrument or version;
 * - `unknown_item`: the pack names an item id the instrument does not have;
 * - `missing_item`: an instrument item would be left without text in the pack's language;
 * - `unknown_scale`, `unknown_option`: option labels for a scale or value that does not exist;
 * - `would_modify`: the pack changes published, verified wording (instructions, an item, an option label).
 *
 * On success the returned copy records the pack (language, version, licensee, `textPackFingerprint`,
 * and whether the fingerprint matches one in `instrument.textFingerprints`) in `appliedTextPacks`.
 * Items whose unverified wording the pack replaced are marked verified, with a note naming the licensee.
 * The input instrument is not changed.
 */
export function applyTextPack(instrument: Instrument, packInput: TextPack | unknown): Validated<Instrument> {
  const parsed = parseTextPack(packInput);
  if (!parsed.ok) return parsed;
  const pack = parsed.value;
  const lang = pack.language;
  const issues: Issue[] = [];

  if (pack.instrument !== instrument.id) {
    issues.push({
      path: 'instrument',
      code: 'wrong_instrument',
      message: `the text pack is for "${pack.instrument}", not for "${instrument.id}"; use a pack made for ${instrument.shortTitle}`,
    });
    return { ok: false, issues };
  }
  if (pack.version !== instrument.version) {
    issues.push({
      path: 'version',
      code: 'version_mismatch',
      message: `the text pack is for ${instrument.id} version "${pack.version}" but the library has version "${instrument.version}"; item ids or wording may differ`,
    });
  }

  const byId = new Map(instrument.items.map((it) => [it.id, it]));
  for (const id of Object.keys(pack.items)) {
    if (!byId.has(id)) {
      issues.push({
        path: `items.${id}`,
        code: 'unknown_item',
        message: `"${id}" is not an item of ${instrument.id} (its items are ${at(instrument.items, 0).id} … ${at(instrument.items, instrument.items.length - 1).id})`,
      });
    }
  }
  for (const it of instrument.items) {
    const supplied = pack.items[it.id];
    const existing = it.text?.[lang];
    if (supplied === undefined) {
      if (existing === undefined) {
        issues.push({
          path: `items.${it.id}`,
          code: 'missing_item',
          message: `the text pack has no text for item "${it.id}" in "${lang}"`,
        });
      }
    } else if (existing !== undefined && existing !== supplied && it.verified) {
      issues.push({
        path: `items.${it.id}`,
        code: 'would_modify',
        message: `item "${it.id}": the pack's wording ${JSON.stringify(supplied)} differs from the published ${JSON.stringify(existing)}; the owner's wording may not be changed (define a custom questionnaire instead)`,
      });
    }
  }
  if (pack.instructions !== undefined) {
    const existing = instrument.instructions?.[lang];
    if (existing !== undefined && existing !== pack.instructions) {
      issues.push({
        path: 'instructions',
        code: 'would_modify',
        message: `the pack's instructions differ from the published instructions in "${lang}"; they may not be changed`,
      });
    }
  }
  const scales = new Map(instrument.scales.map((s) => [s.id, s]));
  for (const [scaleId, labels] of Object.entries(pack.scales ?? {})) {
    const sc = scales.get(scaleId);
    if (!sc) {
      issues.push({
        path: `scales.${scaleId}`,
        code: 'unknown_scale',
        message: `"${scaleId}" is not a response scale of ${instrument.id} (its scales are ${[...scales.keys()].join(', ') || '(none)'})`,
      });
      continue;
    }
    for (const [value, label] of Object.entries(labels)) {
      const opt = sc.options.find((o) => String(o.value) === value || o.value === Number(value));
      if (!opt) {
        issues.push({
          path: `scales.${scaleId}.${value}`,
          code: 'unknown_option',
          message: `scale "${scaleId}" has no option with value ${value} (its values are ${sc.options.map((o) => o.value).join(', ')})`,
        });
      } else if (
        instrument.licence.textIncluded &&
        opt.label[lang] !== undefined &&
        opt.label[lang] !== label
      ) {
        issues.push({
          path: `scales.${scaleId}.${value}`,
          code: 'would_modify',
          message: `scale "${scaleId}" option ${value}: the pack's label ${JSON.stringify(label)} differs from the published ${JSON.stringify(opt.label[lang])}`,
        });
      }
    }
  }
  if (issues.length) return { ok: false, issues };

  const out = clone(instrument) as Instrument;
  if (!out.languages.includes(lang)) out.languages.push(lang);
  if (pack.instructions !== undefined)
    out.instructions = { ...(out.instructions ?? {}), [lang]: pack.instructions };
  for (const it of out.items) {
    const supplied = pack.items[it.id];
    if (supplied === undefined) continue;
    const replacedUnverified = it.text?.[lang] !== undefined && it.text[lang] !== supplied && !it.verified;
    it.text = { ...(it.text ?? {}), [lang]: supplied };
    if (replacedUnverified) {
      it.verified = true;
      it.note = `${it.note ? `${it.note} ` : ''}Wording replaced by the text pack supplied by ${pack.licensee}.`;
    }
  }
  for (const [scaleId, labels] of Object.entries(pack.scales ?? {})) {
    const sc = out.scales.find((s) => s.id === scaleId);
    if (!sc) throw new Error(`internal: scale "${scaleId}" passed the check above but is missing`);
    for (const [value, label] of Object.entries(labels)) {
      const opt = sc.options.find((o) => String(o.value) === value || o.value === Number(value));
      if (!opt)
        throw new Error(`internal: option ${value} of "${scaleId}" passed the check above but is missing`);
      opt.label = { ...opt.label, [lang]: label };
    }
  }
  const fingerprint = textPackFingerprint(pack);
  const known = instrument.textFingerprints?.[lang];
  out.appliedTextPacks = [
    ...(out.appliedTextPacks ?? []),
    {
      language: lang,
      version: pack.version,
      licensee: pack.licensee,
      fingerprint,
      matchesKnownText: known?.length ? known.includes(fingerprint) : null,
      ...(pack.source ? { source: pack.source } : {}),
      ...(pack.backTranslation ? { backTranslation: pack.backTranslation } : {}),
    },
  ];
  const r = InstrumentSchema.safeParse(out);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: toIssues(r.error) };
}

/**
 * A skeleton text pack for an instrument: every item id with its current text in `language` (or an
 * empty string to fill in), and every scale's option values. Useful to start a pack from.
 */
export function textPackTemplate(
  instrument: Instrument,
  language: string,
  licensee = '',
): {
  instrument: string;
  version: string;
  language: string;
  licensee: string;
  instructions: string;
  items: Record<string, string>;
  scales: Record<string, Record<string, string>>;
} {
  const items: Record<string, string> = {};
  for (const it of instrument.items) items[it.id] = it.text?.[language] ?? '';
  const scales: Record<string, Record<string, string>> = {};
  for (const sc of instrument.scales) {
    const labels: Record<string, string> = {};
    for (const o of sc.options) labels[String(o.value)] = o.label[language] ?? '';
    scales[sc.id] = labels;
  }
  return {
    instrument: instrument.id,
    version: instrument.version,
    language,
    licensee,
    instructions: instrument.instructions?.[language] ?? '',
    items,
    scales,
  };
}
