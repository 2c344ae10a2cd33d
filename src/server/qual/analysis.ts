/**
 * Coder comparison (once the owner opened it): percent agreement and Cohen's kappa for two coders,
 * Krippendorff's alpha (nominal) for two or more, per code and pooled, at the chosen unit (characters or speaker
 * turns), each with its denominator (core: src/core/qual/agreement.ts). Aggregates: viewers may read them.
 * The queries page is ./queries.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
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
import { CONSENSUS_CODER } from '../../core/qual/consensus.js';
import { codePath, codesInTreeOrder } from '../../core/qual/model.js';
import type { TableSpec } from '../../core/report/spec.js';
import { present } from '../../core/stats/at.js';
import { tableCsv } from '../../render/csv.js';
import type { QualState } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { parseQuery, queryList, queryStrictChoice } from '../request.js';
import { type Html, html, raw } from '../ui/html.js';
import {
  loadQual,
  nameOfCoder,
  postButton,
  projectOf,
  type QualContext,
  type QualReq,
  qualBase,
  sendQualPage,
} from './common.js';
import { fileBase, specDocx } from './results.js';
import { specHtml } from './resultsView.js';

/** The comparison's options in the query string (absent → the defaults; an unknown option → 400 naming the choices). */
const ComparisonQuery = z.object({
  unit: queryStrictChoice<AgreementUnit>('unit', ['character', 'turn'], 'character'),
  sources: queryStrictChoice('sources', SOURCE_SCOPES, 'every'),
  speakers: queryStrictChoice('speakers', SPEAKER_SCOPES, 'participants'),
  coders: queryList,
  codes: queryList,
});

function radio(name: string, value: string, current: string, label: string): Html {
  return html`<label><input type="radio" name="${name}" value="${value}"${value === current && raw(' checked')}> ${label}</label>`;
}

/** The comparison settings a query asks for (defaults: every coder who coded, every used codable code). */
async function comparisonOf(ctx: QualContext, q: QualReq, req: FastifyRequest) {
  const query = parseQuery(req, ComparisonQuery);
  const { state, project } = await projectOf(ctx, { ...q, coderId: null });
  const { unit, sources, speakers } = query;
  // The consensus layer is compared only when asked for (e.g. a coder against the consensus).
  const withSegments = project.coders
    .filter((c) => c.id !== CONSENSUS_CODER.id && project.segments.some((s) => s.coderId === c.id))
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
  return { opts, project, state, names, codebookNote: codebookNote(state) };
}

/**
 * Once codes are merged in the consensus codebook, the comparison counts them as their target: a note on the
 * page and in the downloaded tables says which, so the figures never change silently.
 */
function codebookNote(state: QualState): string | null {
  const codes = state.entities.code.map((c) => c.data);
  const merged = codes.filter((c) => c.mergedInto !== undefined);
  if (!merged.length) return null;
  const into = [...new Set(merged.map((c) => present(c.mergedInto, 'a merge target')))].map((id) => {
    const from = merged.filter((c) => c.mergedInto === id).map((c) => `"${c.name}"`);
    return `${from.join(', ')} as "${codes.find((c) => c.id === id)?.name ?? id}"`;
  });
  return `Codes are read through the consensus codebook: ${into.join('; ')} (merged on the Consensus page, where the agreement before consensus is reported).`;
}

/** The agreement tables of a comparison, with the consensus-codebook note when codes are merged. */
function tablesOf(c: Awaited<ReturnType<typeof comparisonOf>>): TableSpec[] {
  const note = c.codebookNote;
  return agreementTables(compareCoders(c.project, c.opts), c.names).map((t) =>
    note ? { ...t, notes: [...(t.notes ?? []), note] } : t,
  );
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

export function registerAnalysis(app: FastifyInstance, ctx: QualContext): void {
  app.get('/studies/:id/qual/compare', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.read);
    const base = qualBase(q.study.id);
    if (!q.project.comparisonOpen) {
      return sendQualPage(reply, {
        q,
        title: 'Coder comparison',
        section: 'compare',
        body: (csrf) =>
          html`<h1>Coder comparison</h1><p>Coding is blind: each coder sees only their own segments. Agreement is computed once the owner opens comparison; then every coder sees every segment.</p>${
            q.owner &&
            postButton(
              `${base}/comparison`,
              csrf,
              'Open comparison',
              { open: '1', version: q.project.version },
              'primary',
            )
          }`,
      });
    }
    const c = await comparisonOf(ctx, q, req);
    const { opts, project } = c;
    const qs = comparisonQuery(opts);
    const coders = project.coders.map(
      (x) =>
        html`<label><input type="checkbox" name="coders" value="${x.id}"${opts.coders.includes(x.id) && raw(' checked')}> ${x.name}</label>`,
    );
    const form = html`<form method="get" action="${base}/compare" class="stack"><fieldset><legend>Coders</legend><div class="checks">${coders}</div></fieldset><fieldset><legend>Unit</legend><div class="checks">${radio('unit', 'character', opts.unit, 'characters')}${radio('unit', 'turn', opts.unit, 'speaker turns')}</div></fieldset><fieldset><legend>Transcripts counted</legend><div class="stack">${radio('sources', 'every', opts.sources, 'only those every compared coder has coded (default)')}${radio('sources', 'coded', opts.sources, 'every transcript some compared coder has coded; a coder’s units of a transcript they have not coded are missing')}${radio('sources', 'all', opts.sources, 'all, an uncoded transcript counting as “not coded” (inflates agreement; NVivo’s way)')}</div></fieldset><fieldset><legend>Speakers counted</legend><div class="checks">${radio('speakers', 'participants', opts.speakers, 'participants only: leave out moderator and interviewer turns (default)')}${radio('speakers', 'all', opts.speakers, 'every turn')}</div></fieldset><p><button>Compare</button></p></form>`;
    let results: Html;
    if (project.sources.length === 0 || opts.codeIds.length === 0)
      results = html`<p>Nothing to compare yet: no coded segments.</p>`;
    else if (opts.coders.length < 2) results = html`<p>Choose at least two coders.</p>`;
    else
      results = html`${tablesOf(c).map(specHtml)}<p>Download: <a href="${base}/compare.csv?${qs}">CSV</a> · <a href="${base}/compare.docx?${qs}">Word</a></p>`;
    return sendQualPage(reply, {
      q,
      title: 'Coder comparison',
      section: 'compare',
      body: () => html`<h1>Coder comparison</h1>${form}${results}`,
    });
  });

  for (const ext of ['csv', 'docx'] as const)
    app.get(`/studies/:id/qual/compare.${ext}`, async (req, reply) => {
      const q = await loadQual(ctx, req, ROLES.read);
      if (!q.project.comparisonOpen)
        throw new HttpError(409, 'Coding is blind: the owner opens comparison before agreement is computed.');
      const c = await comparisonOf(ctx, q, req);
      const { opts, project } = c;
      if (opts.coders.length < 2 || opts.codeIds.length === 0)
        throw new HttpError(400, 'Choose at least two coders who have coded, and at least one code.');
      const tables = tablesOf(c);
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
          .send(tables.map((t, i) => tableCsv(t, { bom: i === 0, notes: true })).join('\r\n'));
      return reply
        .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
        .send(Buffer.from(await specDocx(`${project.name}: inter-coder agreement`, tables)));
    });
}
