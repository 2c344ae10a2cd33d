/**
 * Text packs in the studio: the licensed wording of an instrument whose text nabz may not ship (MBI-SS,
 * PSS-10), a translation of a library instrument (e.g. Urdu BACE), or the official wording of items the library
 * marks unverified (BACE items 14, 24, 29) — pasted or read from a file, per language, stored in the study definition
 * (`instruments[i].textPacks`) and applied when the study is resolved, so the same text drives the respondent
 * pages, exports, analysis and simulation. Nothing is ever filled in: an item without text stays without.
 */
import {
  BACK_TRANSLATION_LABELS,
  type BackTranslation,
  BackTranslationSchema,
  type Instrument,
  type Issue,
  type TextPack,
  type Validated,
} from '../../core/instrument/schema.js';
import { applyTextPack, parseTextPack } from '../../core/instrument/textPack.js';
import { at } from '../../core/stats/at.js';
import { getInstrument } from '../../instruments/index.js';
import { type Html, html } from '../ui/html.js';
import { scrollBox } from '../ui/table.js';
import {
  type Fields,
  field,
  idList,
  instrumentTextStatus,
  languageName,
  parseJsonObject,
  STUDIO_LANGUAGES,
  type StudyDraft,
  textLines,
} from './definition.js';
import { input, select, textarea } from './forms.js';
import { csrfField, issuesHtml, postButton } from './layout.js';

const KEYED_LINE = /^([A-Za-z][A-Za-z0-9_]{0,63})\s*(?:=|:|\t)\s*(.+)$/;

/**
 * Item texts from the pasted text: either one `item_id = text` (or `item_id: text`, or tab-separated) line per
 * item given, or exactly one plain line per item of the instrument, in its order.
 */
function parsePackLines(ins: Instrument, text: string): Validated<Record<string, string>> {
  const lines = textLines(text);
  const ids = new Set(ins.items.map((it) => it.id));
  const keyed = lines.map((l) => {
    const m = KEYED_LINE.exec(l);
    return m && ids.has(at(m, 1)) ? { id: at(m, 1), text: at(m, 2).trim() } : undefined;
  });
  const issues: Issue[] = [];
  const items: Record<string, string> = {};
  if (lines.length === 0) {
    return {
      ok: false,
      issues: [
        {
          path: 'text',
          code: 'empty',
          message: `paste the wording: one line per item (${ins.items.length} lines, in order), or "${at(ins.items, 0).id} = text" lines`,
        },
      ],
    };
  }
  const given = keyed.filter((k) => k !== undefined);
  if (given.length === lines.length) {
    given.forEach((k, i) => {
      if (items[k.id] !== undefined)
        issues.push({
          path: 'text',
          code: 'duplicate_item',
          message: `line ${i + 1} gives "${k.id}" a second time; keep one line per item`,
        });
      else items[k.id] = k.text;
    });
  } else if (given.length > 0) {
    const plain = keyed.map((k, i) => (k ? 0 : i + 1)).filter((n) => n > 0);
    issues.push({
      path: 'text',
      code: 'mixed_lines',
      message: `some lines start with an item id and some do not (lines ${idList(plain.map(String))} do not): write every line as "item_id = text", or give exactly one plain line per item in order`,
    });
  } else if (lines.length !== ins.items.length) {
    issues.push({
      path: 'text',
      code: 'line_count',
      message: `${ins.shortTitle} has ${ins.items.length} items but ${lines.length} lines were pasted: give one line per item in order (${at(ins.items, 0).id} … ${at(ins.items, ins.items.length - 1).id}), or write "item_id = text" lines for the items you have`,
    });
  } else {
    ins.items.forEach((it, i) => {
      items[it.id] = at(lines, i);
    });
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: items };
}

/**
 * A text pack from the studio's form: `instrument`, `language`, `licensee`, `source`, `backTranslation`,
 * `instructions`, and `text` — a whole JSON text pack, or lines (see `parsePackLines`). The pack is checked
 * against the library instrument (`applyTextPack`): no unknown items, no item of a licensed instrument left
 * without text, no change to verified published wording.
 */
function textPackFromForm(
  ins: Instrument,
  fields: Fields,
  languages: readonly string[],
): Validated<TextPack> {
  const issues: Issue[] = [];
  const language = field(fields, 'language');
  if (!languages.includes(language)) {
    issues.push({
      path: 'language',
      code: 'bad_language',
      message: `"${language}" is not a language of this study; choose one of ${languages.map(languageName).join(', ')} (add languages under Basics)`,
    });
  }
  const licensee = field(fields, 'licensee');
  const source = field(fields, 'source');
  const bt = field(fields, 'backTranslation');
  const backTranslation = BackTranslationSchema.safeParse(bt);
  if (bt && !backTranslation.success) {
    issues.push({
      path: 'backTranslation',
      code: 'bad_value',
      message: `"${bt}" is not a back-translation status; choose one of ${BackTranslationSchema.options.join(', ')}`,
    });
  }
  const instructions = field(fields, 'instructions');
  const text = field(fields, 'text');
  let pack: Record<string, unknown>;
  if (text.startsWith('{')) {
    const parsed = parseJsonObject(text, 'text', 'the pasted text pack');
    if (!parsed.ok) return { ok: false, issues: [...issues, ...parsed.issues] };
    pack = { ...parsed.value };
    const given: [string, string][] = [
      ['instrument', ins.id],
      ['language', language],
    ];
    for (const [k, v] of given) {
      if (pack[k] !== undefined && pack[k] !== v)
        issues.push({
          path: `text.${k}`,
          code: 'mismatch',
          message: `the pasted pack says "${k}": ${JSON.stringify(pack[k])}, but this form is for ${k === 'instrument' ? ins.shortTitle : languageName(v)} ("${v}"); paste the right pack or choose the right ${k}`,
        });
    }
    pack.instrument = ins.id;
    pack.language = language;
    pack.version ??= ins.version;
    if (licensee) pack.licensee = licensee;
    if (instructions) pack.instructions = instructions;
  } else {
    const lines = parsePackLines(ins, text);
    if (!lines.ok) issues.push(...lines.issues);
    pack = {
      instrument: ins.id,
      version: ins.version,
      language,
      licensee,
      items: lines.ok ? lines.value : {},
      ...(instructions ? { instructions } : {}),
    };
  }
  if (source) pack.source = source;
  if (backTranslation.success) pack.backTranslation = backTranslation.data;
  if (!pack.licensee) {
    issues.push({
      path: 'licensee',
      code: 'required',
      message:
        'say who supplied this text under which licence or permission (e.g. "Dr A. Khan, Mind Garden licence 12345", or "KCL, official v3 form")',
    });
  }
  if (issues.length) return { ok: false, issues };
  const p = parseTextPack(pack);
  if (!p.ok) return { ok: false, issues: p.issues.map((i) => ({ ...i, path: `text.${i.path}` })) };
  const applied = applyTextPack(ins, p.value);
  if (!applied.ok)
    return { ok: false, issues: applied.issues.map((i) => ({ ...i, path: `text.${i.path}` })) };
  return p;
}

type PackResult =
  | { ok: true; change: string; detail: Record<string, unknown> }
  | { ok: false; issues: Issue[] };

/** The Design page's "textpacks" section: add (or replace, per language) or remove a study instrument's text pack. */
export function textPacksSection(draft: StudyDraft, fields: Fields): PackResult {
  const id = field(fields, 'instrument');
  const si = (draft.instruments ?? []).find((x) => x.instrument === id);
  const ins = getInstrument(id);
  if (!si || !ins) {
    return {
      ok: false,
      issues: [
        { path: 'instrument', code: 'unknown', message: `"${id}" is not an instrument of this study` },
      ],
    };
  }
  const packs = (Array.isArray(si.textPacks) ? si.textPacks : []) as TextPack[];
  const language = field(fields, 'language');
  if (field(fields, 'action') === 'remove') {
    const kept = packs.filter((p) => p.language !== language);
    if (kept.length === packs.length)
      return {
        ok: false,
        issues: [
          {
            path: 'language',
            code: 'unknown',
            message: `${ins.shortTitle} has no ${languageName(language)} text pack`,
          },
        ],
      };
    si.textPacks = kept;
    return { ok: true, change: 'textpack.remove', detail: { instrument: id, language } };
  }
  const languages = draft.languages?.length ? draft.languages : ['en'];
  const pack = textPackFromForm(ins, fields, languages);
  if (!pack.ok) return { ok: false, issues: [...pack.issues] };
  const replaced = packs.some((p) => p.language === language);
  si.textPacks = [...packs.filter((p) => p.language !== language), pack.value];
  return {
    ok: true,
    change: replaced ? 'textpack.replace' : 'textpack.add',
    detail: {
      instrument: id,
      language,
      items: Object.keys(pack.value.items).length,
      licensee: pack.value.licensee,
    },
  };
}

/** The form a text-pack post came from. */
export function textPackForm(instrumentId: string): string {
  return `textpack:${instrumentId}`;
}

/** The failed text form of an instrument: its problems and what was typed. */
type PackError = { readonly issues: readonly Issue[]; readonly fields: Fields };

/** The text packs applied to a study instrument: who supplied them, source, back-translation, Remove. */
function packsTable(ins: Instrument, packs: readonly TextPack[], base: string, csrf: string): Html {
  const rows = packs.map((p) => {
    const rec = ins.appliedTextPacks?.find((a) => a.language === p.language && a.licensee === p.licensee);
    const known =
      rec?.matchesKnownText === true
        ? 'matches the known wording'
        : rec?.matchesKnownText === false
          ? 'differs from the known wording'
          : 'no known wording to compare';
    return html`<tr><td>${languageName(p.language)}</td><td>${Object.keys(p.items).length}${p.instructions && ' + instructions'}</td><td dir="auto">${p.licensee}</td><td dir="auto">${p.source ?? 'not stated'}</td><td>${p.backTranslation ? BACK_TRANSLATION_LABELS[p.backTranslation] : 'not stated'}</td><td>${known}</td><td>${postButton(
      `${base}/edit/textpacks#instruments`,
      csrf,
      `Remove the ${p.language} text of ${ins.shortTitle}`,
      { className: 'danger', hidden: { action: 'remove', instrument: ins.id, language: p.language } },
    )}</td></tr>`;
  });
  return scrollBox(
    `Text packs of ${ins.shortTitle}`,
    html`<table><thead><tr><th>Language</th><th>Items</th><th>Supplied by</th><th>Source</th><th>Back-translation</th><th>Wording</th><th><span class="muted">Actions</span></th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

/** The paste form of a study instrument's text (filled in again after a failed post). */
function packForm(
  ins: Instrument,
  languages: readonly string[],
  st: ReturnType<typeof instrumentTextStatus>,
  base: string,
  csrf: string,
  err: PackError | undefined,
): Html {
  const v = (name: string, d = '') => {
    const x = err?.fields[name];
    return typeof x === 'string' ? x : Array.isArray(x) ? (x[0] ?? '') : d;
  };
  const p = `tp-${ins.id}`;
  return html`<form method="post" action="${base}/edit/textpacks#instruments" class="stack card">${csrfField(csrf)}<input type="hidden" name="_form" value="${textPackForm(ins.id)}"><input type="hidden" name="action" value="add"><input type="hidden" name="instrument" value="${ins.id}">${
    err && issuesHtml(err.issues)
  }${select(
    p,
    'language',
    'Language of this text',
    v('language', languages.find((l) => st.missing.some((m) => m.lang === l)) ?? at(languages, 0)),
    languages.map((l) => ({ value: l, label: STUDIO_LANGUAGES.find((s) => s.code === l)?.name ?? l })),
  )}<div class="field" hidden><label for="${p}-file">Or read the text from a file (.json or .txt)</label><input type="file" id="${p}-file" accept=".json,.txt,text/plain,application/json" data-into="${p}-text"></div>${textarea(
    p,
    'text',
    'Item wording',
    v('text'),
    {
      rows: 8,
      hint: `One line per item in order (${ins.items.length} lines: ${at(ins.items, 0).id} … ${at(ins.items, ins.items.length - 1).id}), or "item_id = text" lines for some items (e.g. to replace placeholders), or a whole JSON text pack. A pack for a language replaces that language's earlier pack.`,
    },
  )}${textarea(p, 'instructions', 'Instructions (stem), optional', v('instructions'), { rows: 2 })}${input(
    p,
    'licensee',
    'Supplied by, under which licence or permission',
    v('licensee'),
    {
      hint: 'Shown in reports and the codebook, e.g. "Dr A. Khan, Mind Garden licence 12345".',
    },
  )}${input(p, 'source', 'Source of the wording or translation (optional)', v('source'), {
    hint: 'E.g. the official v3 form, or "Urdu translation by …, validated in …". Shown in the codebook.',
  })}${select(p, 'backTranslation', 'Back-translation (translations)', v('backTranslation'), [
    { value: '', label: 'Not stated' },
    ...BackTranslationSchema.options.map((o: BackTranslation) => ({
      value: o,
      label: BACK_TRANSLATION_LABELS[o],
    })),
  ])}<div><button class="primary">Save ${ins.shortTitle} text</button></div></form>`;
}

/**
 * The "Text" part of a study instrument's card: per study language which items still lack text, the
 * unverified (placeholder) items, missing instructions, the packs applied (who supplied them, source,
 * back-translation), and the paste form.
 */
export function textPanel(opts: {
  /** The instrument as the study resolves it (packs applied), or the library's when it does not resolve. */
  readonly resolved: Instrument;
  readonly draft: StudyDraft;
  readonly base: string;
  readonly csrf: string;
  /** The failed form's problems and fields, when it was this instrument's text form. */
  readonly err?: PackError | undefined;
}): Html {
  const { resolved: ins, draft, base, csrf, err } = opts;
  const languages = draft.languages?.length ? draft.languages : ['en'];
  const st = instrumentTextStatus(ins, languages);
  const si = (draft.instruments ?? []).find((x) => x.instrument === ins.id);
  const packs = (Array.isArray(si?.textPacks) ? si.textPacks : []) as TextPack[];
  const lines = languages.map((l) => {
    const m = st.missing.find((x) => x.lang === l);
    if (!m) return html`<li>${languageName(l)}: every item has text.</li>`;
    const blocking = !ins.licence.textIncluded || m.items.some((id) => st.noText.includes(id));
    return html`<li class="${blocking ? 'bad' : ''}">${languageName(l)}: ${m.items.length} of ${ins.items.length} items lack text${blocking ? ' — the study cannot launch until they have it' : ` — shown in ${languageName(ins.languages[0] ?? 'en')} meanwhile`}: <code>${idList(m.items)}</code></li>`;
  });
  const instructions =
    st.noInstructions.length > 0 &&
    html`<p class="notice">No instructions (stem) in ${st.noInstructions.map(languageName).join(', ')}: respondents see the items without the official introduction. Add them with a text pack.</p>`;
  const unverified =
    st.unverified.length > 0 &&
    html`<div class="notice"><p><strong>Unverified or placeholder wording</strong> — replace it with the official wording (a text pack with "item_id = text" lines) before collecting data:</p><ul>${st.unverified.map(
      (u) =>
        html`<li><code>${u.id}</code> <span dir="auto">“${u.text}”</span>${u.note && html`<br><span class="hint">${u.note}</span>`}</li>`,
    )}</ul></div>`;
  const needed = !ins.licence.textIncluded && st.missing.length > 0;
  return html`<div class="textpack"><h4>Text</h4><p><strong>Text by language</strong></p><ul>${lines}</ul>${instructions}${unverified}${
    packs.length > 0 && packsTable(ins, packs, base, csrf)
  }<details${(err || needed) && html` open`}><summary>Add text: licensed wording, a translation or the official wording of placeholder items</summary>${packForm(ins, languages, st, base, csrf, err)}</details></div>`;
}
