/**
 * Consensus: the disagreement view, the consensus layer and the consensus codebook (core:
 * src/core/qual/consensus.ts, consensusReport.ts, codebook.ts; views: consensusView.ts).
 *
 * - `GET /consensus` — once the owner opened comparison: where the compared coders differ, per passage or
 *   (`view=turns`) per speaker turn, side by side with the text (filter by code, transcript and coders), with
 *   agreement before consensus (recorded by the first step), now (consensus codebook) and after (each coder
 *   against the consensus).
 * - `POST /consensus` — one decision (accept a coder's version, merge, coded / not coded; from the turn view a
 *   `choice` field) as consensus segments, in one audited plan (`consensus.<decision>`, a `segment.create|delete`
 *   per consensus segment, `consensus.start` and `consensus.baseline` the first time).
 * - `GET /consensus/codebook`, `POST /consensus/codebook/merge|unmerge|split|unsplit`, `GET /consensus/codebook/split`
 *   — the consensus codebook, written by the store's `mergeCodes` / `unmergeCode` / `splitCode` / `unsplitCode` (one audited
 *   transaction each, with the actor).
 *
 * Owners and analysts: the pages show transcript text.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  agreementBaseline,
  codePassages,
  codingCoders,
  consensusCodebook,
} from '../../core/qual/codebook.js';
import {
  agreedCoding,
  CONSENSUS_CODER,
  type ConsensusDecision,
  resolveConsensus,
} from '../../core/qual/consensus.js';
import { consensusAgreementTable, consensusReport } from '../../core/qual/consensusReport.js';
import { codePath, codesInTreeOrder, type QualProject, type Segment } from '../../core/qual/model.js';
import { OffsetIndex } from '../../core/qual/offsets.js';
import { tableCsv } from '../../render/csv.js';
import {
  type Outcome,
  type QualChange,
  type QualRefusal,
  type QualState,
  toQualProject,
} from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm, type FormBody, field, fieldAll } from '../form.js';
import { parseQuery, queryChoice, queryList, queryText } from '../request.js';
import {
  applyPlan,
  intField,
  invalid,
  loadQual,
  nameOfCoder,
  newId,
  nowIso,
  projectOf,
  type QualContext,
  type QualReq,
  qualBase,
  quoteRemovals,
  refusalError,
  refuse,
  seeOther,
  sendQualPage,
  stateOf,
} from './common.js';
import {
  blindView,
  type CodebookModel,
  type ConsensusFilters,
  type ConsensusModel,
  codebookView,
  consensusView,
  splitView,
} from './consensusView.js';
import { fileBase, specDocx } from './results.js';

const ConsensusQuery = z.object({
  coders: queryList,
  code: queryText,
  source: queryText,
  view: queryChoice(['passages', 'turns'], 'passages'),
});

/** The filters of the page (unknown coders, codes and transcripts are ignored: the page shows all). */
function filtersOf(project: QualProject, query: z.infer<typeof ConsensusQuery>): ConsensusFilters {
  const all = codingCoders(project);
  const asked = query.coders.filter((c) => all.includes(c));
  const coders = asked.length >= 2 ? asked : all;
  const used = new Set(
    project.segments.filter((s) => s.coderId !== CONSENSUS_CODER.id).flatMap((s) => s.codeIds),
  );
  const codable = codesInTreeOrder(project.codes)
    .filter((c) => c.codable && used.has(c.id))
    .map((c) => ({ id: c.id, path: codePath(project.codes, c.id).join(' › ') }));
  const code = query.code && codable.some((c) => c.id === query.code) ? query.code : undefined;
  const source =
    query.source && project.sources.some((s) => s.id === query.source) ? query.source : undefined;
  return {
    all,
    coders,
    codable,
    code,
    codeIds: code ? [code] : codable.map((c) => c.id),
    sourceIds: source ? [source] : undefined,
    view: query.view,
  };
}

function backQuery(f: ConsensusFilters): string {
  const p = new URLSearchParams();
  for (const c of f.coders) p.append('coders', c);
  if (f.code) p.set('code', f.code);
  if (f.sourceIds?.[0]) p.set('source', f.sourceIds[0]);
  if (f.view !== 'passages') p.set('view', f.view);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Slicing transcripts by code points, one index per transcript. */
function textOf(project: QualProject) {
  const idx = new Map(project.sources.map((s) => [s.id, new OffsetIndex(s.text)]));
  return {
    text: (id: string, start: number, end: number) => idx.get(id)?.slice(start, end) ?? '',
    sourceLength: (id: string) => idx.get(id)?.length ?? 0,
  };
}

/** The decision a form posts: `decision` (+ `coder` / `merge`), or the turn view's `choice`. */
function decisionOf(b: FormBody): ConsensusDecision {
  const choice = field(b, 'choice');
  const kind = choice ? (choice.startsWith('accept:') ? 'accept' : choice) : field(b, 'decision');
  if (kind === 'accept') return { kind, coderId: choice ? choice.slice(7) : field(b, 'coder') };
  if (kind === 'merge') return { kind, coders: field(b, 'merge').split(',').filter(Boolean) };
  if (kind === 'coded' || kind === 'not_coded') return { kind };
  throw new HttpError(
    400,
    `Unknown decision "${kind}": use "accept", "merge", "coded" or "not_coded".`,
    'validation',
  );
}

interface DecisionInput {
  readonly sourceId: string;
  readonly codeId: string;
  readonly start: number;
  readonly end: number;
  readonly decision: ConsensusDecision;
  readonly compared: readonly string[];
}

/**
 * The plan of one consensus decision. A transcript's first decision starts its consensus from what every
 * compared coder coded alike, and the project's first step records the agreement before consensus.
 */
function decisionPlan(state: QualState, d: DecisionInput) {
  if (!state.project.comparisonOpen)
    return refuse('invalid', 'Consensus works on everyone’s coding: the owner opens comparison first.');
  const at = nowIso();
  const project = consensusCodebook(toQualProject(state));
  const doc = state.project.doc;
  const baseline = doc.consensusBaseline ? null : agreementBaseline(project, at);
  const starting = !doc.consensusSources.includes(d.sourceId);
  const seeded = new Map<string, Segment>();
  if (starting) {
    const known = new Set(project.coders.map((c) => c.id));
    const bad = d.compared.find((c) => !known.has(c) || c === CONSENSUS_CODER.id);
    if (d.compared.length < 2 || bad !== undefined)
      return refuse(
        'invalid',
        `The compared coders (${d.compared.join(', ') || 'none'}) must be two or more coders of this project; reload the Consensus page.`,
      );
    for (const { codeId, ranges } of agreedCoding(project, d.sourceId, d.compared))
      for (const x of ranges) {
        const id = newId('cons');
        const s: Segment = {
          id,
          sourceId: d.sourceId,
          ...x,
          codeIds: [codeId],
          coderId: CONSENSUS_CODER.id,
          createdAt: at,
        };
        seeded.set(id, s);
        project.segments.push(s);
      }
  }
  const r = resolveConsensus(project, d);
  if (!r.ok) return invalid(r.issues, 'The consensus was not recorded: ');
  const changes: QualChange[] = [];
  if (!state.get('coder', CONSENSUS_CODER.id))
    changes.push({
      kind: 'coder',
      id: CONSENSUS_CODER.id,
      expect: 'new',
      data: { ...CONSENSUS_CODER, userId: null },
    });
  const removed = new Set(r.value.remove.map((s) => s.id));
  for (const s of seeded.values())
    if (!removed.has(s.id))
      changes.push({
        kind: 'segment',
        id: s.id,
        expect: 'new',
        data: s,
        audit: { action: 'consensus.agreed' },
      });
  for (const s of r.value.remove)
    if (!seeded.has(s.id)) changes.push({ kind: 'segment', id: s.id, expect: 'any', data: null });
  changes.push(...quoteRemovals(state, removed));
  for (const m of state.entities.memo)
    if (m.data.target.kind === 'segment' && removed.has(m.data.target.id))
      changes.push({ kind: 'memo', id: m.id, expect: 'any', data: null });
  for (const x of r.value.add) {
    const id = newId('cons');
    const data = {
      id,
      sourceId: d.sourceId,
      ...x,
      codeIds: [d.codeId],
      coderId: CONSENSUS_CODER.id,
      createdAt: at,
    };
    changes.push({ kind: 'segment', id, expect: 'new', data });
  }
  const sources = starting ? [...doc.consensusSources, d.sourceId] : doc.consensusSources;
  const newDoc = { ...doc, consensusSources: sources, ...(baseline ? { consensusBaseline: baseline } : {}) };
  const { decision } = d;
  return {
    changes,
    ...(starting || baseline
      ? {
          project: {
            doc: newDoc,
            audit: starting
              ? {
                  action: 'consensus.start',
                  before: { consensusSources: doc.consensusSources },
                  after: { consensusSources: sources },
                }
              : { action: 'consensus.baseline', before: null, after: baseline },
          },
        }
      : {}),
    events: [
      ...(baseline && starting
        ? [{ action: 'consensus.baseline', entity: { kind: 'project', id: project.id }, after: baseline }]
        : []),
      {
        action: `consensus.${decision.kind}`,
        entity: { kind: 'source', id: d.sourceId },
        after: {
          code: d.codeId,
          start: d.start,
          end: d.end,
          ...(decision.kind === 'accept' ? { coder: decision.coderId } : {}),
          ...(decision.kind === 'merge' ? { coders: decision.coders } : {}),
          consensus: r.value.after,
          ...(starting ? { started: true, compared: d.compared } : {}),
        },
      },
    ],
    result: null,
  };
}

/** The consensus codebook page's model: codes in tree order with what was merged into them, and their use. */
function codebookModel(q: QualReq, state: QualState, csrf: string): CodebookModel {
  const raw = toQualProject(state);
  const project = consensusCodebook(raw);
  const name = nameOfCoder(state);
  const owner = (by: string | undefined) => (by === undefined ? null : name(by));
  return {
    base: qualBase(q.study.id),
    csrf,
    codes: codesInTreeOrder(project.codes).map((c) => ({
      id: c.id,
      path: codePath(project.codes, c.id).join(' › '),
      codable: c.codable,
      owner: owner(c.createdBy),
      splitFrom: (c.splitFrom && raw.codes.find((x) => x.id === c.splitFrom)?.name) || null,
      merged: raw.codes
        .filter((x) => x.mergedInto === c.id)
        .map((x) => ({ id: x.id, name: x.name, owner: owner(x.createdBy) })),
      counts: project.coders
        .map((k) => ({
          coder: k.name,
          n: project.segments.filter((s) => s.coderId === k.id && s.codeIds.includes(c.id)).length,
        }))
        .filter((x) => x.n > 0),
    })),
  };
}

/** The Consensus page's data: the project (consensus codebook), the filters and the report. */
async function reportOf(ctx: QualContext, q: QualReq, req: FastifyRequest) {
  const { state, project } = await projectOf(ctx, { ...q, coderId: null });
  const filters = filtersOf(project, parseQuery(req, ConsensusQuery));
  const doc = state.project.doc;
  const report =
    filters.coders.length >= 2 && filters.codeIds.length
      ? consensusReport(project, {
          ...filters,
          started: new Set(doc.consensusSources),
          baseline: doc.consensusBaseline,
          at: nowIso(),
        })
      : null;
  return { state, project, filters, report };
}

async function openState(ctx: QualContext, q: QualReq): Promise<QualState | null> {
  return q.project.comparisonOpen ? stateOf(ctx, { ...q, coderId: null }) : null;
}

export function registerConsensus(app: FastifyInstance, ctx: QualContext): void {
  const page = { title: 'Consensus', section: 'consensus' } as const;

  app.get('/studies/:id/qual/consensus', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    if (!q.project.comparisonOpen) return sendQualPage(reply, { q, ...page, body: () => blindView() });
    const { state, project, filters, report } = await reportOf(ctx, q, req);
    const model = (csrf: string): ConsensusModel => ({
      base: qualBase(q.study.id),
      csrf,
      version: state.project.version,
      filters,
      sources: project.sources.map((s) => ({ id: s.id, name: s.name })),
      coderName: nameOfCoder(state),
      codeName: (id: string) => codePath(project.codes, id).join(' › '),
      ...textOf(project),
      report,
      merged: state.entities.code.filter((c) => c.data.mergedInto !== undefined).length,
      back: backQuery(filters),
    });
    return sendQualPage(reply, { q, ...page, body: (csrf) => consensusView(model(csrf)) });
  });

  for (const ext of ['csv', 'docx'] as const)
    app.get(`/studies/:id/qual/consensus/agreement.${ext}`, async (req, reply) => {
      const q = await loadQual(ctx, req, ROLES.work);
      if (!q.project.comparisonOpen)
        throw new HttpError(409, 'Coding is blind: the owner opens comparison before consensus.', 'conflict');
      const { state, project, filters, report } = await reportOf(ctx, q, req);
      if (!report)
        throw new HttpError(400, 'Nothing to compare yet: at least two coders need coded segments.');
      const table = consensusAgreementTable(report, { coder: nameOfCoder(state) }, filters.coders);
      const after = { coders: filters.coders, codes: filters.codeIds.length };
      await ctx.store.qual.record(q.project.id, q.actor, [
        { action: `export.consensus_agreement_${ext}`, entity: { kind: 'project', id: project.id }, after },
      ]);
      reply
        .header(
          'content-disposition',
          `attachment; filename="${fileBase(project.name)}-consensus-agreement.${ext}"`,
        )
        .header('cache-control', 'no-store');
      if (ext === 'csv')
        return reply.type('text/csv; charset=utf-8').send(tableCsv(table, { bom: true, notes: true }));
      return reply
        .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
        .send(Buffer.from(await specDocx(`${project.name}: agreement before and after consensus`, table)));
    });

  app.post('/studies/:id/qual/consensus', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const b = asForm(req.body);
    const input: DecisionInput = {
      sourceId: field(b, 'source'),
      codeId: field(b, 'code'),
      start: intField(b, 'start', 'Start'),
      end: intField(b, 'end', 'End'),
      decision: decisionOf(b),
      compared: field(b, 'coders').split(',').filter(Boolean),
    };
    await applyPlan(ctx, q, (state) => decisionPlan(state, input));
    const back = field(b, 'back');
    return seeOther(reply, `${qualBase(q.study.id)}/consensus${/^\?[\w.~%=&+-]*$/.test(back) ? back : ''}`);
  });

  app.get('/studies/:id/qual/consensus/codebook', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const state = await openState(ctx, q);
    if (!state) return sendQualPage(reply, { q, ...page, body: () => blindView() });
    return sendQualPage(reply, {
      q,
      ...page,
      body: (csrf) => codebookView(codebookModel(q, state, csrf)),
    });
  });

  app.get('/studies/:id/qual/consensus/codebook/split', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const state = await openState(ctx, q);
    if (!state) return sendQualPage(reply, { q, ...page, body: () => blindView() });
    const project = consensusCodebook(toQualProject(state));
    const codeId = parseQuery(req, z.object({ code: queryText })).code ?? '';
    if (!project.codes.some((c) => c.id === codeId && c.codable))
      throw new HttpError(
        404,
        `Code "${codeId}" is not a code of the consensus codebook; go back to it.`,
        'not_found',
      );
    const { text } = textOf(project);
    const name = nameOfCoder(state);
    const src = (id: string) => project.sources.find((s) => s.id === id)?.name ?? id;
    const passages = codePassages(project, codeId).map((p) => ({
      key: p.key,
      source: src(p.sourceId),
      text: text(p.sourceId, p.start, p.end),
      range: `${p.start}–${p.end}`,
      coders: p.coders.map(name).join(', '),
    }));
    const code = { id: codeId, path: codePath(project.codes, codeId).join(' › ') };
    const base = qualBase(q.study.id);
    return sendQualPage(reply, {
      q,
      ...page,
      body: (csrf) => splitView({ base, csrf, code, passages }),
    });
  });

  const codebookPost = (
    path: string,
    run: (q: QualReq, b: FormBody) => Promise<Outcome<unknown, QualRefusal>>,
  ) =>
    app.post(`/studies/:id/qual/consensus/codebook/${path}`, async (req, reply) => {
      const q = await loadQual(ctx, req, ROLES.work);
      const r = await run(q, asForm(req.body));
      if (!r.ok) throw refusalError(r);
      return seeOther(reply, `${qualBase(q.study.id)}/consensus/codebook`);
    });

  codebookPost('merge', (q, b) => {
    const into = field(b, 'into');
    return ctx.store.qual.mergeCodes(q.project.id, q.actor, {
      codeIds: fieldAll(b, 'codes'),
      into: into || { id: newId('code'), name: field(b, 'name'), definition: field(b, 'definition') },
    });
  });
  codebookPost('unmerge', (q, b) => ctx.store.qual.unmergeCode(q.project.id, q.actor, field(b, 'code')));
  codebookPost('unsplit', (q, b) => ctx.store.qual.unsplitCode(q.project.id, q.actor, field(b, 'code')));
  codebookPost('split', (q, b) =>
    ctx.store.qual.splitCode(q.project.id, q.actor, {
      codeId: field(b, 'code'),
      newCode: { id: newId('code'), name: field(b, 'name'), definition: field(b, 'definition') },
      move: fieldAll(b, 'move'),
    }),
  );
}
