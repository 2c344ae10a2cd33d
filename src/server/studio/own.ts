/**
 * Own instruments in the studio, without JSON: a Likert grid — statements sharing one response scale, pasted
 * one per line — with reverse-key ticks and a score (which items, sum or mean, minimum answered, optional
 * bands). It is stored inline in the study definition (`instruments[i].definition`, see
 * schemas/instrument.schema.json) and is then an instrument like a library one: the respondent pages, import,
 * scoring, reliability on keyed values, exports and the analysis all use it.
 */
import { parseOwnInstrument } from '../../core/instrument/own.js';
import {
  IdSchema,
  type Instrument,
  type InstrumentInput,
  type Issue,
  type LocalizedText,
  type Validated,
} from '../../core/instrument/schema.js';
import { at, present } from '../../core/stats/at.js';
import { getInstrument } from '../../instruments/index.js';
import { type Html, html } from '../ui/html.js';
import { scrollBox } from '../ui/table.js';
import {
  type Fields,
  field,
  fieldAll,
  localizedFrom,
  optionsText,
  parseScale,
  type StudyDraft,
  textLines,
} from './definition.js';
import { input, select, textarea } from './forms.js';
import { csrfField, issuesHtml } from './layout.js';

/** The one response scale of a studio-built grid. */
const SCALE_ID = 'scale';

/** Item id of the n-th statement (1-based): `<instrument>_01`, … */
function itemId(instrument: string, n: number): string {
  return `${instrument}_${String(n).padStart(2, '0')}`;
}

/** Score id of a studio-built grid. */
function ownScoreId(instrument: string): string {
  return `${instrument}_score`;
}

/** Statements from a textarea, one per line: `Statement` or `Statement | اردو`. */
function statementsFrom(text: string): LocalizedText[] {
  return textLines(text).map((line) => {
    const [en, ur] = line.split('|').map((x) => x.trim());
    const t: Record<string, string> = {};
    if (en) t.en = en;
    if (ur) t.ur = ur;
    return t;
  });
}

/** Bands from a textarea, one per line: `min = label` (e.g. `3.5 = High`), sorted by `min`. */
function bandsFrom(text: string, issues: Issue[]): { min: number; label: LocalizedText }[] | undefined {
  const out: { min: number; label: LocalizedText }[] = [];
  textLines(text).forEach((line, i) => {
    const m = /^(-?\d+(?:\.\d+)?)\s*=\s*(.+)$/.exec(line);
    if (!m) {
      issues.push({
        path: 'bands',
        code: 'bad_band',
        message: `band line ${i + 1} ("${line}") is not "lowest score = label"; write e.g. "3.5 = High"`,
      });
      return;
    }
    const [en, ur] = at(m, 2)
      .split('|')
      .map((x) => x.trim());
    out.push({ min: Number(m[1]), label: { ...(en ? { en } : {}), ...(ur ? { ur } : {}) } as LocalizedText });
  });
  return out.length ? out : undefined;
}

/**
 * An own Likert-grid instrument from the builder's form: `id`, `title_en`/`title_ur`, `shortTitle`,
 * `instructions_en`/`_ur`, `options` (the shared scale, lowest first), `statements` (one per line), `reverse`
 * (ticked item ids), `inscore` (ticked item ids; all items when the form had no ticks yet), `method` (sum or
 * mean), `minAnswered`, `scoreLabel`, `bands`. Checked as any own instrument is (`parseOwnInstrument`).
 */
function ownInstrumentFromForm(
  fields: Fields,
  opts: { readonly existing: boolean; readonly takenIds: ReadonlySet<string> },
): Validated<{ instrument: Instrument; definition: InstrumentInput }> {
  const issues: Issue[] = [];
  const id = field(fields, 'id');
  if (!IdSchema.safeParse(id).success) {
    issues.push({
      path: 'id',
      code: 'bad_id',
      message: `"${id}" cannot be an instrument id: start with a letter and use only letters, digits and _ (e.g. hsa)`,
    });
  } else if (getInstrument(id)) {
    issues.push({
      path: 'id',
      code: 'library_id',
      message: `"${id}" is the id of the library instrument ${present(getInstrument(id), 'the library instrument').shortTitle}; choose another id (e.g. ${id}_own)`,
    });
  } else if (!opts.existing && [...opts.takenIds].some((t) => t.toLowerCase() === id.toLowerCase())) {
    issues.push({
      path: 'id',
      code: 'duplicate_id',
      message: `"${id}" is already used in this study; choose another id`,
    });
  }
  const title = localizedFrom(fields, 'title');
  if (!title) issues.push({ path: 'title_en', code: 'required', message: 'give the instrument a title' });
  const options = parseScale(field(fields, 'options'));
  if (!options.ok) issues.push(...options.issues);
  const statements = statementsFrom(field(fields, 'statements'));
  if (statements.length === 0)
    issues.push({
      path: 'statements',
      code: 'no_statements',
      message: 'write the statements, one per line (e.g. "I would seek help if I felt low")',
    });
  const ids = statements.map((_, i) => itemId(id, i + 1));
  const reverse = new Set(fieldAll(fields, 'reverse'));
  const ticked = fieldAll(fields, 'inscore').filter((x) => ids.includes(x));
  const inScore = opts.existing && fieldAll(fields, '_items').length ? ticked : ids;
  if (inScore.length === 0)
    issues.push({
      path: 'inscore',
      code: 'no_items',
      message: 'tick at least one statement to go into the score',
    });
  const method = field(fields, 'method') || 'mean';
  if (method !== 'sum' && method !== 'mean')
    issues.push({
      path: 'method',
      code: 'bad_method',
      message: `"${method}" is not a scoring method; choose sum or mean`,
    });
  const minText = field(fields, 'minAnswered');
  const minAnswered = minText === '' ? inScore.length : Number(minText);
  if (!Number.isInteger(minAnswered) || minAnswered < 1 || minAnswered > Math.max(1, inScore.length))
    issues.push({
      path: 'minAnswered',
      code: 'range',
      message: `"${minText}" is not a valid minimum: give a whole number from 1 to ${inScore.length} (the statements in the score), or leave it empty for all`,
    });
  const bands = bandsFrom(field(fields, 'bands'), issues);
  if (issues.length || !title) return { ok: false, issues };
  const shortTitle = field(fields, 'shortTitle');
  const instructions = localizedFrom(fields, 'instructions');
  const languages = [
    ...new Set([title, ...statements].flatMap((t) => Object.keys(t)).filter((l) => l === 'en' || l === 'ur')),
  ];
  const scoreLabel = field(fields, 'scoreLabel');
  const def: InstrumentInput = {
    id,
    title,
    ...(shortTitle ? { shortTitle } : {}),
    ...(instructions ? { instructions } : {}),
    languages,
    scales: [
      { id: SCALE_ID, options: (options as { value: { value: number; label: LocalizedText }[] }).value },
    ],
    items: statements.map((text, i) => ({
      id: at(ids, i),
      scale: SCALE_ID,
      text,
      ...(reverse.has(at(ids, i)) ? { reverse: true } : {}),
    })),
    scores: [
      {
        id: ownScoreId(id),
        label: {
          en: scoreLabel || `${shortTitle || title.en || id} ${method === 'sum' ? 'total' : 'mean'}`,
        },
        items: inScore,
        method: method as 'sum' | 'mean',
        minAnswered,
        ...(bands ? { bands } : {}),
        description: `${method} of ${inScore.length === ids.length ? `all ${ids.length} statements` : inScore.join(', ')}${reverse.size ? ` (reverse keyed: ${ids.filter((x) => reverse.has(x) && inScore.includes(x)).join(', ') || 'none in the score'})` : ''}; at least ${minAnswered} answered`,
      },
    ],
  };
  const parsed = parseOwnInstrument(def);
  if (!parsed.ok) return parsed;
  return { ok: true, value: { instrument: parsed.value, definition: def } };
}

type OwnResult =
  | { ok: true; change: string; detail: Record<string, unknown> }
  | { ok: false; issues: Issue[] };

/** The Design page's "own" section: create or update an own Likert-grid instrument (stored inline). */
export function ownSection(draft: StudyDraft, fields: Fields, takenIds: ReadonlySet<string>): OwnResult {
  const id = field(fields, 'id');
  draft.instruments ??= [];
  const i = draft.instruments.findIndex((si) => si.instrument === id && si.definition !== undefined);
  const existing = field(fields, 'action') === 'update';
  if (existing && i < 0)
    return {
      ok: false,
      issues: [
        { path: 'id', code: 'unknown', message: `this study has no own instrument "${id}"; reload the page` },
      ],
    };
  const r = ownInstrumentFromForm(fields, { existing, takenIds });
  if (!r.ok) return { ok: false, issues: [...r.issues] };
  // Stored as the form wrote it; the schema fills in the defaults (licence, citation, version) when resolving.
  const entry = { instrument: id, definition: r.value.definition };
  if (i >= 0) draft.instruments[i] = { ...draft.instruments[i], ...entry };
  else draft.instruments.push(entry);
  return {
    ok: true,
    change: existing ? 'instrument.own.update' : 'instrument.own.add',
    detail: {
      instrument: id,
      items: r.value.instrument.items.length,
      reverse: r.value.instrument.items.filter((it) => it.reverse).map((it) => it.id),
    },
  };
}

/** The builder's form: empty (create) or filled from an own instrument (update, with its items' ticks). */
export function ownForm(opts: {
  readonly base: string;
  readonly csrf: string;
  readonly instrument?: Instrument;
  readonly err?: { readonly issues: readonly Issue[]; readonly fields: Fields } | undefined;
}): Html {
  const { base, csrf, instrument: ins, err } = opts;
  const f = err?.fields;
  const v = (name: string, stored: string) => {
    if (!f) return stored;
    const x = f[name];
    return typeof x === 'string' ? x : Array.isArray(x) ? (x[0] ?? '') : '';
  };
  const score = ins?.scores[0];
  const p = ins ? `own-${ins.id}` : 'own-new';
  const lt = (t: LocalizedText | undefined, l: string) => t?.[l] ?? '';
  const statements = (ins?.items ?? [])
    .map((it) => `${lt(it.text, 'en')}${it.text?.ur ? ` | ${it.text.ur}` : ''}`)
    .join('\n');
  const reverse = new Set(
    f ? fieldAll(f, 'reverse') : (ins?.items ?? []).filter((it) => it.reverse).map((it) => it.id),
  );
  const inScore = new Set(f ? fieldAll(f, 'inscore') : (score?.items ?? []));
  const ticks = ins
    ? html`<input type="hidden" name="_items" value="1">${scrollBox(
        'Statements: reverse keyed and in the score',
        html`<table><thead><tr><th>Item</th><th>Statement</th><th>Reverse keyed</th><th>In the score</th></tr></thead><tbody>${ins.items.map(
          (it, k) =>
            html`<tr><td><code>${it.id}</code></td><td dir="auto">${lt(it.text, 'en') || Object.values(it.text ?? {})[0] || ''}</td><td><input type="checkbox" name="reverse" value="${it.id}" id="${p}-rev-${k}" aria-label="Reverse key ${it.id}"${reverse.has(it.id) && html` checked`}></td><td><input type="checkbox" name="inscore" value="${it.id}" id="${p}-in-${k}" aria-label="${it.id} in the score"${inScore.has(it.id) && html` checked`}></td></tr>`,
        )}</tbody></table>`,
      )}<p class="hint">Reverse-keyed statements are scored as (lowest + highest − answer), in the score and in reliability.</p>`
    : html`<p class="hint">After saving, tick the reverse-keyed statements and choose which go into the score (all by default).</p>`;
  const bandsText = (score?.bands ?? []).map((b) => `${b.min} = ${lt(b.label, 'en')}`).join('\n');
  return html`<form method="post" action="${base}/edit/own#instruments" class="stack card">${csrfField(csrf)}<input type="hidden" name="_form" value="${ins ? `own:${ins.id}` : 'own'}"><input type="hidden" name="action" value="${ins ? 'update' : 'add'}">${
    err && issuesHtml(err.issues)
  }${
    ins
      ? html`<input type="hidden" name="id" value="${ins.id}"><p>Instrument id <code>${ins.id}</code>; items <code>${at(ins.items, 0).id}</code> … <code>${at(ins.items, ins.items.length - 1).id}</code>; score <code>${score?.id ?? ''}</code>.</p>`
      : input(p, 'id', 'Instrument id', v('id', ''), {
          required: true,
          maxlength: 40,
          hint: 'Letters, digits and _, starting with a letter, e.g. hsa. Items become hsa_01, hsa_02, …; the score hsa_score.',
        })
  }${input(p, 'title_en', 'Title (English)', v('title_en', lt(ins?.title, 'en')))}${input(p, 'title_ur', 'Title (Urdu, optional)', v('title_ur', lt(ins?.title, 'ur')), { lang: 'ur' })}${input(
    p,
    'shortTitle',
    'Short title (optional)',
    v('shortTitle', ins?.shortTitle ?? ''),
    {
      maxlength: 40,
    },
  )}${textarea(
    p,
    'instructions_en',
    'Instructions (English, optional)',
    v('instructions_en', lt(ins?.instructions, 'en')),
    { rows: 2 },
  )}${textarea(
    p,
    'instructions_ur',
    'Instructions (Urdu, optional)',
    v('instructions_ur', lt(ins?.instructions, 'ur')),
    { rows: 2, lang: 'ur' },
  )}${textarea(
    p,
    'options',
    'Response scale (shared by every statement)',
    v('options', optionsText(ins?.scales[0]?.options)),
    {
      rows: 5,
      hint: 'One option per line, lowest first: "1 = Strongly disagree | سخت غیر متفق" … "5 = Strongly agree".',
    },
  )}${textarea(p, 'statements', 'Statements', v('statements', statements), {
    rows: 8,
    hint: 'One per line, in order; "Statement | اردو" adds the Urdu wording. Paste them from your questionnaire.',
  })}${ticks}<div class="row">${select(p, 'method', 'Score', v('method', score?.method ?? 'mean'), [
    { value: 'mean', label: 'Mean of the answered statements' },
    { value: 'sum', label: 'Sum' },
  ])}${input(
    p,
    'minAnswered',
    'Minimum answered',
    v('minAnswered', score?.minAnswered !== undefined ? String(score.minAnswered) : ''),
    { type: 'number', min: 1, hint: 'Fewer answered statements give no score. Empty: all.' },
  )}</div>${input(p, 'scoreLabel', 'Score label (optional)', v('scoreLabel', lt(score?.label, 'en')))}${textarea(
    p,
    'bands',
    'Bands (optional)',
    v('bands', bandsText),
    {
      rows: 3,
      hint: 'One per line, "lowest score = label", e.g. "1 = Low", "3.5 = High".',
    },
  )}<div><button class="primary">${ins ? `Save ${ins.shortTitle}` : 'Create the instrument'}</button></div></form>`;
}
