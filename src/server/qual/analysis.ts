/**
 * Coder comparison and queries.
 *
 * Comparison (once the owner opened it): percent agreement and Cohen's kappa for two coders, Krippendorff's
 * alpha (nominal) for two or more, per code and pooled, at the chosen unit (characters or speaker turns), each
 * with its denominator (core: src/core/qual/agreement.ts). Aggregates: viewers may read them.
 *
 * Queries: the code × participant-attribute matrix and code co-occurrence count *participants* (a participant
 * counts for a code when one of the visible segments with that code overlaps one of their turns); word
 * frequency counts words in participants' turns and how many participants used each. Owners and analysts,
 * who read the transcripts, see exact counts; for a viewer (the study's one policy,
 * src/core/privacy/suppression.ts) every count of participants between 1 and k − 1 (k = the study's minimum
 * cell size) is suppressed, attribute values held by fewer than k participants are not named, and words used
 * by fewer than k participants are left out, so no cell points at one or two people. "All segments of a code"
 * lists quotes with pseudonyms: owner and analyst only. Queries use the segments the reader may see (their own
 * while coding is blind).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { audienceOf, cellsToSuppress, isSmall, suppressionReason } from '../../core/privacy/suppression.js';
import type { AgreementUnit } from '../../core/qual/agreement.js';
import {
  agreementTables,
  type ComparisonOptions,
  compareCoders,
  SOURCE_SCOPES,
  type SourceScope,
  SPEAKER_SCOPES,
  type SpeakerScope,
} from '../../core/qual/comparison.js';
import { codePath, codesInTreeOrder, type Segment, type Turn } from '../../core/qual/model.js';
import { OffsetIndex } from '../../core/qual/offsets.js';
import { formatQuote, quoteOf } from '../../core/qual/results.js';
import { tableCsv } from '../../render/csv.js';
import { HttpError } from '../errors.js';
import { parseQuery, queryList, queryStrictChoice, queryText } from '../request.js';
import {
  esc,
  loadQual,
  nameOfCoder,
  postButton,
  projectOf,
  QUAL_ROLES,
  type QualContext,
  type QualReq,
  qualBase,
  sendQualPage,
  table,
} from './common.js';
import { fileBase, specDocx, specHtml } from './results.js';

/** The comparison's options in the query string (absent → the defaults; an unknown option → 400 naming the choices). */
const ComparisonQuery = z.object({
  unit: queryStrictChoice<AgreementUnit>('unit', ['character', 'turn'], 'character'),
  sources: queryStrictChoice('sources', SOURCE_SCOPES, 'every'),
  speakers: queryStrictChoice('speakers', SPEAKER_SCOPES, 'participants'),
  coders: queryList,
  codes: queryList,
});

const QueriesQuery = z.object({ attribute: queryText, code: queryText });

function radio(name: string, value: string, current: string, label: string): string {
  return `<label><input type="radio" name="${name}" value="${value}"${value === current ? ' checked' : ''}> ${label}</label>`;
}

/** The comparison settings a query asks for (defaults: every coder who coded, every used codable code). */
async function comparisonOf(ctx: QualContext, q: QualReq, req: FastifyRequest) {
  const query = parseQuery(req, ComparisonQuery);
  const { state, project } = await projectOf(ctx, { ...q, coderId: null });
  const { unit, sources, speakers } = query;
  const withSegments = project.coders
    .filter((c) => project.segments.some((s) => s.coderId === c.id))
    .map((c) => c.id);
  const asked = query.coders.filter((c) => project.coders.some((x) => x.id === c));
  const coders = asked.length ? asked : withSegments;
  const usedCodes = new Set(project.segments.flatMap((s) => s.codeIds));
  const askedCodes = query.codes.filter((c) => project.codes.some((x) => x.id === c));
  const codeIds = askedCodes.length
    ? askedCodes
    : codesInTreeOrder(project.codes)
        .filter((c) => c.codable && usedCodes.has(c.id))
        .map((c) => c.id);
  const opts: ComparisonOptions & { sources: SourceScope; speakers: SpeakerScope } = {
    coders,
    codeIds,
    unit,
    sources,
    speakers,
  };
  const names = { coder: nameOfCoder(state), code: (id: string) => codePath(project.codes, id).join(' › ') };
  return { opts, project, state, names };
}

/** The query string of a comparison (for its download links). */
function comparisonQuery(o: ComparisonOptions & { sources: SourceScope; speakers: SpeakerScope }): string {
  const p = new URLSearchParams();
  for (const c of o.coders) p.append('coders', c);
  for (const c of o.codeIds) p.append('codes', c);
  p.set('unit', o.unit);
  p.set('sources', o.sources);
  p.set('speakers', o.speakers);
  return p.toString();
}

/** Participant ids whose turns a segment overlaps. */
function participantsOf(seg: { start: number; end: number }, turns: readonly Turn[]): string[] {
  return [
    ...new Set(
      turns
        .filter(
          (t) =>
            t.participantId !== null &&
            Math.max(seg.start, t.start) < Math.min(seg.end, Math.max(t.end, t.start + 1)),
        )
        .map((t) => t.participantId!),
    ),
  ];
}

/** A count of participants, suppressed when 0 < n < k (pass k = 0 for an exact audience). */
export function suppress(n: number, k: number): string {
  return isSmall(n, k)
    ? `<span class="sup" title="${suppressionReason(k, 'participants')}">&lt;${k}</span>`
    : String(n);
}

/** Words of a text: letters (any script) with marks, digits, apostrophes and inner hyphens. */
export function words(text: string): string[] {
  return (
    text
      .normalize('NFC')
      .toLocaleLowerCase('en')
      .match(/[\p{L}\p{M}][\p{L}\p{M}\p{N}'’-]*/gu) ?? []
  ).map((w) => w.replace(/['’-]+$/, ''));
}

const STOP = new Set(
  (
    'a an the and or but if of to in on at by for with from as is are was were be been being am i me my we our you your he she it its they them their this that these those ' +
    'do does did have has had not no so just very can could would should will shall may might must there here what which who whom when where why how all any some ' +
    'about into over than then too also only more most much many such own same other out up down off again further once because while until both each few nor ' +
    "i'm it's don't can't that's there's we're they're i've you're " +
    'کے کا کی میں ہے ہیں اور کو سے پر بھی تو یہ وہ جو کہ ہو ہوتا ہوتی ہوتے تھا تھی تھے نہیں ایک اس ان کر کیا گیا رہا رہی رہے لیے ساتھ بہت'
  ).split(/\s+/),
);

export function registerAnalysis(app: FastifyInstance, ctx: QualContext): void {
  app.get('/studies/:id/qual/compare', async (req, reply) => {
    const q = await loadQual(ctx, req, QUAL_ROLES.read);
    const base = qualBase(q.study.id);
    if (!q.project.comparisonOpen) {
      return sendQualPage(reply, {
        q,
        title: 'Coder comparison',
        section: 'compare',
        body: (csrf) =>
          '<h1>Coder comparison</h1><p>Coding is blind: each coder sees only their own segments. Agreement is computed once the owner opens comparison; then every coder sees every segment.</p>' +
          (q.owner
            ? postButton(
                `${base}/comparison`,
                csrf,
                'Open comparison',
                { open: '1', version: q.project.version },
                'primary',
              )
            : ''),
      });
    }
    const c = await comparisonOf(ctx, q, req);
    const { opts, project, names } = c;
    const qs = comparisonQuery(opts);
    const form =
      `<form method="get" action="${base}/compare" class="stack"><fieldset><legend>Coders</legend><div class="checks">${project.coders
        .map(
          (x) =>
            `<label><input type="checkbox" name="coders" value="${esc(x.id)}"${opts.coders.includes(x.id) ? ' checked' : ''}> ${esc(x.name)}</label>`,
        )
        .join('')}</div></fieldset>` +
      `<fieldset><legend>Unit</legend><div class="checks"><label><input type="radio" name="unit" value="character"${opts.unit === 'character' ? ' checked' : ''}> characters</label><label><input type="radio" name="unit" value="turn"${opts.unit === 'turn' ? ' checked' : ''}> speaker turns</label></div></fieldset>` +
      `<fieldset><legend>Transcripts counted</legend><div class="stack">${radio('sources', 'every', opts.sources, 'only those every compared coder has coded (default)')}${radio('sources', 'coded', opts.sources, 'every transcript some compared coder has coded; a coder’s units of a transcript they have not coded are missing')}${radio('sources', 'all', opts.sources, 'all, an uncoded transcript counting as “not coded” (inflates agreement; NVivo’s way)')}</div></fieldset>` +
      `<fieldset><legend>Speakers counted</legend><div class="checks">${radio('speakers', 'participants', opts.speakers, 'participants only: leave out moderator and interviewer turns (default)')}${radio('speakers', 'all', opts.speakers, 'every turn')}</div></fieldset>` +
      '<p><button>Compare</button></p></form>';
    let results = '';
    if (project.sources.length === 0 || opts.codeIds.length === 0)
      results = '<p>Nothing to compare yet: no coded segments.</p>';
    else if (opts.coders.length < 2) results = '<p>Choose at least two coders.</p>';
    else {
      const tables = agreementTables(compareCoders(project, opts), names);
      results =
        tables.map(specHtml).join('') +
        `<p>Download: <a href="${base}/compare.csv?${esc(qs)}">CSV</a> · <a href="${base}/compare.docx?${esc(qs)}">Word</a></p>`;
    }
    return sendQualPage(reply, {
      q,
      title: 'Coder comparison',
      section: 'compare',
      body: () => `<h1>Coder comparison</h1>${form}${results}`,
    });
  });

  for (const ext of ['csv', 'docx'] as const)
    app.get(`/studies/:id/qual/compare.${ext}`, async (req, reply) => {
      const q = await loadQual(ctx, req, QUAL_ROLES.read);
      if (!q.project.comparisonOpen)
        throw new HttpError(409, 'Coding is blind: the owner opens comparison before agreement is computed.');
      const { opts, project, names } = await comparisonOf(ctx, q, req);
      if (opts.coders.length < 2 || opts.codeIds.length === 0)
        throw new HttpError(400, 'Choose at least two coders who have coded, and at least one code.');
      const tables = agreementTables(compareCoders(project, opts), names);
      await ctx.store.qual.record(q.project.id, q.actor, [
        {
          action: `export.agreement_${ext}`,
          entity: { kind: 'project', id: project.id },
          after: { ...opts },
        },
      ]);
      const name = `${fileBase(project.name)}-agreement.${ext}`;
      reply
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store');
      if (ext === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .send(tables.map((t, i) => tableCsv(t, { bom: i === 0 })).join('\r\n'));
      return reply
        .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
        .send(Buffer.from(await specDocx(`${project.name}: inter-coder agreement`, tables)));
    });

  app.get('/studies/:id/qual/queries', async (req, reply) => {
    const q = await loadQual(ctx, req, QUAL_ROLES.read);
    const base = qualBase(q.study.id);
    const { project } = await projectOf(ctx, q);
    const exact = audienceOf(q.role) === 'exact';
    // The k suppression works with: the study's k for a viewer, none for roles that read the transcripts.
    const k = exact ? 0 : q.study.minCellSize;
    const query = parseQuery(req, QueriesQuery);
    const attrs = [...new Set(project.participants.flatMap((p) => Object.keys(p.attributes)))].sort();
    const attribute =
      query.attribute !== undefined && attrs.includes(query.attribute) ? query.attribute : attrs[0];
    const codes = codesInTreeOrder(project.codes).filter((c) => c.codable);
    // Participants per code (visible segments overlapping their turns).
    const byCode = new Map<string, Set<string>>();
    for (const s of project.segments) {
      const ps = participantsOf(s, project.turns[s.sourceId] ?? []);
      for (const c of s.codeIds) {
        const set = byCode.get(c) ?? new Set<string>();
        for (const p of ps) set.add(p);
        byCode.set(c, set);
      }
    }
    let matrix = '<p>No participant attributes yet.</p>';
    if (attribute !== undefined) {
      const attributeOf = (pid: string) => {
        const v = project.participants.find((p) => p.id === pid)?.attributes[attribute];
        return v === undefined || v === null ? '(missing)' : String(v);
      };
      const all = [...new Set(project.participants.map((p) => attributeOf(p.id)))].sort();
      const count = (v: string) => project.participants.filter((p) => attributeOf(p.id) === v).length;
      // A viewer is not told the values held by fewer than k participants ("diagnosis = bipolar disorder").
      const hidden = cellsToSuppress(all.map(count), k);
      const values = all.filter((_, i) => !hidden.has(i));
      const totals = values.map(count);
      matrix =
        `<form method="get" action="${base}/queries" class="row"><label for="attribute">Attribute</label><select id="attribute" name="attribute">${attrs
          .map((a) => `<option${a === attribute ? ' selected' : ''}>${esc(a)}</option>`)
          .join('')}</select><button>Show</button></form>` +
        table(
          ['Code', ...values.map((v, i) => `${attribute} = ${v} (of ${totals[i]})`)],
          codes.map((c) => [
            esc(codePath(project.codes, c.id).join(' › ')),
            ...values.map((v) =>
              suppress([...(byCode.get(c.id) ?? [])].filter((p) => attributeOf(p) === v).length, k),
            ),
          ]),
          { numeric: values.map((_, i) => i + 1) },
        ) +
        (hidden.size
          ? `<p class="hint">Values of ${esc(attribute)} held by ${suppressionReason(k, 'participants')} are not shown.</p>`
          : '');
    }
    // Co-occurrence: participants in whose turns two codes overlap. Per source, a sweep over segments sorted
    // by start visits only overlapping pairs (and each segment with itself, for its own several codes).
    const co = new Map<string, Set<string>>();
    const bySource = new Map<string, Segment[]>();
    for (const s of project.segments) bySource.set(s.sourceId, [...(bySource.get(s.sourceId) ?? []), s]);
    for (const [sid, list] of bySource) {
      list.sort((a, b) => a.start - b.start);
      const turns = project.turns[sid] ?? [];
      for (let i = 0; i < list.length; i++) {
        const a = list[i]!;
        for (let j = i; j < list.length && list[j]!.start < a.end; j++) {
          const b = list[j]!;
          const overlap = { start: Math.max(a.start, b.start), end: Math.min(a.end, b.end) };
          if (overlap.start >= overlap.end) continue;
          const ps = participantsOf(overlap, turns);
          if (!ps.length) continue;
          for (const x of a.codeIds)
            for (const y of b.codeIds) {
              if (x === y) continue;
              const key = x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`;
              const set = co.get(key) ?? new Set<string>();
              for (const p of ps) set.add(p);
              co.set(key, set);
            }
        }
      }
    }
    const coCell = (x: string, y: string) => {
      if (x === y) return '—';
      const key = x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`;
      return suppress(co.get(key)?.size ?? 0, k);
    };
    const cooc = codes.length
      ? table(
          ['', ...codes.map((c) => c.name)],
          codes.map((r) => [esc(r.name), ...codes.map((c) => coCell(r.id, c.id))]),
          { numeric: codes.map((_, i) => i + 1) },
        )
      : '<p>No codes yet.</p>';
    // Word frequency in participants' turns.
    const freq = new Map<string, { n: number; ps: Set<string> }>();
    for (const s of project.sources) {
      const idx = new OffsetIndex(s.text);
      for (const t of project.turns[s.id] ?? []) {
        if (t.participantId === null) continue;
        for (const w of words(idx.slice(t.contentStart, Math.max(t.contentStart, t.end)))) {
          if (STOP.has(w) || Array.from(w).length < 2) continue;
          const f = freq.get(w) ?? { n: 0, ps: new Set<string>() };
          f.n++;
          f.ps.add(t.participantId);
          freq.set(w, f);
        }
      }
    }
    const ranked = [...freq].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1));
    const shown = ranked.filter(([, f]) => !isSmall(f.ps.size, k)).slice(0, 40);
    const hidden = ranked.filter(([, f]) => isSmall(f.ps.size, k)).length;
    const wordTable = shown.length
      ? table(
          ['Word', 'Times', 'Participants'],
          shown.map(([w, f]) => [`<span dir="auto">${esc(w)}</span>`, String(f.n), String(f.ps.size)]),
          { numeric: [1, 2] },
        )
      : '<p>No word is used by enough participants to show.</p>';
    // All segments of a code (owner and analyst only).
    let segmentsOfCode = '';
    if (q.editor) {
      const codeId =
        query.code !== undefined && codes.some((c) => c.id === query.code) ? query.code : codes[0]?.id;
      const names = new Map(project.coders.map((c) => [c.id, c.name]));
      const list = codeId ? project.segments.filter((s) => s.codeIds.includes(codeId)) : [];
      segmentsOfCode =
        '<h2>All segments of a code</h2>' +
        (codes.length
          ? `<form method="get" action="${base}/queries" class="row">${attribute ? `<input type="hidden" name="attribute" value="${esc(attribute)}">` : ''}<label for="code">Code</label><select id="code" name="code">${codes
              .map(
                (c) =>
                  `<option value="${esc(c.id)}"${c.id === codeId ? ' selected' : ''}>${esc(codePath(project.codes, c.id).join(' › '))}</option>`,
              )
              .join('')}</select><button>Show</button></form>` +
            (list.length
              ? list
                  .map((s) => {
                    const src = project.sources.find((x) => x.id === s.sourceId);
                    return `<blockquote class="quote" dir="auto">${esc(formatQuote(quoteOf(project, s)))}<br><span class="muted">${esc(src?.name ?? s.sourceId)} · ${esc(names.get(s.coderId) ?? s.coderId)}</span></blockquote>`;
                  })
                  .join('')
              : '<p>No segments with this code.</p>')
          : '<p>No codes yet.</p>');
    }
    return sendQualPage(reply, {
      q,
      title: 'Queries',
      section: 'queries',
      body: () =>
        `<h1>Queries</h1><p class="hint">Counts are participants, from ${q.editor && !q.project.comparisonOpen ? 'your own segments (coding is blind)' : q.editor ? 'all coders’ segments' : 'all coders’ segments once comparison is open'}. ${exact ? 'You read the transcripts, so counts are exact; viewers see counts from 1 to k − 1 as “&lt;k” and no attribute value held by fewer than k participants' : `Counts from 1 to ${k - 1} are shown as “&lt;${k}” and attribute values held by fewer than ${k} participants are not shown (the study’s minimum cell size k = ${k})`}.</p>` +
        `<h2>Code × participant attribute</h2>${matrix}` +
        `<h2>Code co-occurrence</h2><p class="hint">Participants in whose turns the two codes overlap.</p>${cooc}` +
        `<h2>Word frequency (participants’ turns)</h2>${wordTable}${hidden ? `<p class="hint">${hidden} word(s) used by fewer than ${k} participants are not shown.</p>` : ''}` +
        segmentsOfCode,
    });
  });
}
