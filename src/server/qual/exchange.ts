/**
 * REFI-QDA exchange and the audit trail.
 *
 * Export: the project as QDPX (project.qde + transcripts) and the codebook as QDC, with the segments the
 * exporter may see (their own and imported ones while coding is blind; everyone's once comparison is open).
 * Participants appear as cases named by pseudonym; names never leave. Import (owner): a QDPX into a project
 * that has no transcripts, codes, segments or themes yet (its coders come in as imported coders, not linked to
 * nabz accounts), or a QDC codebook added to the codebook. Both report what they could not take.
 *
 * Audit trail (owner): the hash chain's status and head hash, every event with actor, time, before and after,
 * and CSV/JSON/Markdown exports. While coding is blind, events about other coders' segments are masked on the
 * page and the downloads wait until comparison is opened (the full trail would reveal their coding).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  type AuditEvent,
  auditToCsv,
  auditToJson,
  auditToMarkdown,
  hiddenWhileBlind,
} from '../../core/qual/audit.js';
import { codeTarget } from '../../core/qual/codebook.js';
import { CONSENSUS_CODER, consensusLayer } from '../../core/qual/consensus.js';
import type { Code, QualProject } from '../../core/qual/model.js';
import type { PositionUnit, QdpxMedia } from '../../core/qual/refi.js';
import {
  type ImportReport,
  type ImportResult,
  importQdc,
  importQdpxEntries,
  QDPX_ZIP,
} from '../../import/qdpx.js';
import { readZipAsync } from '../../lib/zip.js';
import { codebookToQdc, exportQdpx } from '../../render/qdpx/export.js';
import type { QualChange, QualPlan, QualRefusal, QualState, Refused } from '../../store/index.js';
import { qualHash, toQualProject } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { formOption, formText, parseBody, parseQuery, queryChoice, queryStrictChoice } from '../request.js';
import {
  applyPlan,
  coderNames,
  decodeBase64,
  loadQual,
  projectOf,
  type QualContext,
  type QualReq,
  qualBase,
  refuse,
  sendQualPage,
  stateOf,
} from './common.js';
import { auditModel, auditView, exchangeView, importReportView } from './exchangeView.js';
import { fileBase } from './results.js';

/** The changes that bring an imported project into an empty one. */
function importChanges(state: QualState, p: QualProject): QualChange[] {
  const taken = new Set(state.entities.coder.map((c) => c.id));
  const out: QualChange[] = [];
  for (const c of p.coders)
    if (!taken.has(c.id)) out.push({ kind: 'coder', id: c.id, expect: 'new', data: { ...c, userId: null } });
  for (const pt of p.participants) {
    if (state.get('participant', pt.id)) continue;
    out.push({ kind: 'participant', id: pt.id, expect: 'new', data: pt });
  }
  for (const s of p.sources)
    out.push({
      kind: 'source',
      id: s.id,
      expect: 'new',
      data: { source: s, turns: p.turns[s.id] ?? [], format: 'qdpx' },
      audit: { action: 'source.import' },
    });
  for (const c of p.codes) out.push({ kind: 'code', id: c.id, expect: 'new', data: c });
  for (const s of p.segments) out.push({ kind: 'segment', id: s.id, expect: 'new', data: s });
  for (const m of p.memos) out.push({ kind: 'memo', id: m.id, expect: 'new', data: m });
  for (const t of p.themes) out.push({ kind: 'theme', id: t.id, expect: 'new', data: t });
  return out;
}

/** Whether a project has nothing a QDPX import would clash with (transcripts, codes, segments, themes). */
function isEmpty(state: QualState): boolean {
  const e = state.entities;
  return !e.source.length && !e.code.length && !e.segment.length && !e.theme.length;
}

/** The recordings of a project's transcripts, for a QDPX export. */
async function recordingsOf(ctx: QualContext, projectId: number, state: QualState): Promise<QdpxMedia[]> {
  const out: QdpxMedia[] = [];
  for (const s of state.entities.source) {
    if (!s.data.media) continue;
    const m = await ctx.store.qual.media(projectId, s.id);
    if (m) out.push({ sourceId: s.id, name: s.data.media.name, bytes: m.bytes });
  }
  return out;
}

/** Whether the trail holds events about segments of coders other than `coderId`. */
function othersSegments(log: readonly AuditEvent[], coderId: string | null): boolean {
  return log.some((e) => hiddenWhileBlind(e, coderId));
}

const QdpxQuery = z.object({
  unit: queryChoice<PositionUnit>(['codepoint', 'utf16'], 'codepoint'),
  layer: queryStrictChoice('layer', ['all', 'consensus'], 'all'),
});

/** The codes merged away in the consensus codebook, each naming its final target (for the QDPX export). */
function mergedCodes(state: QualState): Code[] {
  const { codes } = toQualProject(state);
  const to = codeTarget(codes);
  return codes.filter((c) => c.mergedInto !== undefined).map((c) => ({ ...c, mergedInto: to(c.id) }));
}

/** The import form: a project (.qdpx, uploaded) or a codebook (.qdc, uploaded or pasted). */
const ImportForm = z.object({
  kind: formOption(['qdpx', 'qdc'], 'qdpx'),
  file_b64: formText,
  xml: formText,
});

type QdpxImport = Extract<ImportResult, { ok: true }>;
type QdcImport = Extract<ReturnType<typeof importQdc>, { ok: true }>;

/** An uploaded .qdpx read (zip bounds checked before inflating): 400 when absent or unreadable, 413 too big. */
async function readQdpxUpload(b64: string, projectId: string): Promise<QdpxImport> {
  if (!b64)
    throw new HttpError(
      400,
      'Choose the .qdpx file to import (this needs JavaScript in the browser).',
      'validation',
    );
  const zip = await readZipAsync(decodeBase64(b64), QDPX_ZIP);
  const over = zip.problems.find((p) => p.code === 'too_large');
  if (over)
    throw new HttpError(
      413,
      `The project cannot be imported: ${over.path}: ${over.message} Nothing was saved; import a smaller project, or its codebook (.qdc).`,
      'too_large',
    );
  const r = importQdpxEntries(zip, { projectId });
  if (!r.ok)
    throw new HttpError(
      400,
      `The project cannot be imported: ${r.issues.map((i) => i.message).join('; ')}`,
      'validation',
    );
  return r;
}

/** A pasted or uploaded .qdc read: 400 when absent or not a codebook. */
function readQdcUpload(pasted: string, b64: string): QdcImport {
  const xml = pasted || (b64 ? new TextDecoder('utf-8').decode(decodeBase64(b64)) : '');
  if (!xml) throw new HttpError(400, 'Choose the .qdc file or paste its XML.', 'validation');
  const r = importQdc(xml);
  if (!r.ok)
    throw new HttpError(
      400,
      `The codebook cannot be imported: ${r.issues.map((i) => i.message).join('; ')}`,
      'validation',
    );
  return r;
}

/** A QDPX project into an empty one: its entities, recordings and project document (this project's own kept). */
function qdpxImportPlan(state: QualState, r: QdpxImport): QualPlan<null> | Refused<QualRefusal> {
  if (!isEmpty(state))
    return refuse(
      'conflict',
      'A project can be imported only into an empty qualitative project (no transcripts, codes, segments or themes yet). Import the codebook (.qdc) instead, or start from an empty project.',
    );
  const own = state.project.doc;
  return {
    changes: importChanges(state, r.project),
    project: {
      doc: {
        ...own,
        // The file's description, unless this project already has one of its own.
        ...(own.description === undefined && r.project.description !== undefined
          ? { description: r.project.description }
          : {}),
        meta: { ...r.project.meta, ...own.meta },
        refiGuids: { ...r.project.refiGuids },
        themeReviewers: own.themeReviewers,
      },
      audit: { action: 'import.qdpx', before: null, after: r.report.counts },
    },
    media: r.media,
    result: null,
  };
}

/** A QDC codebook added to the codebook (refused when its codes are there already), its sets as themes. */
function qdcImportPlan(
  state: QualState,
  r: QdcImport,
  projectId: string,
): QualPlan<null> | Refused<QualRefusal> {
  const clash = r.codes.find((c) => state.get('code', c.id));
  if (clash)
    return refuse(
      'exists',
      `Code "${clash.name}" is already in the codebook; this codebook was imported before.`,
    );
  return {
    changes: [
      ...r.codes.map((c) => ({ kind: 'code' as const, id: c.id, expect: 'new' as const, data: c })),
      ...r.themes
        .filter((t) => !state.get('theme', t.id))
        .map((t) => ({ kind: 'theme' as const, id: t.id, expect: 'new' as const, data: t })),
    ],
    events: [{ action: 'import.qdc', entity: { kind: 'project', id: projectId }, after: r.report.counts }],
    result: null,
  };
}

export function registerExchange(app: FastifyInstance, ctx: QualContext): void {
  app.get('/studies/:id/qual/exchange', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { state, project } = await projectOf(ctx, q);
    const model = {
      base: qualBase(q.study.id),
      blind: state.blind,
      warnings: project.sources.length ? exportQdpx(project).warnings.map((w) => w.message) : [],
      owner: q.owner,
      empty: isEmpty(state),
    };
    return sendQualPage(reply, {
      q,
      title: 'REFI-QDA exchange',
      section: 'exchange',
      body: (csrf) => exchangeView(model, csrf),
    });
  });

  app.get('/studies/:id/qual/export.qdpx', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { state, project: full } = await projectOf(ctx, q);
    const { unit, layer } = parseQuery(req, QdpxQuery);
    if (layer === 'consensus' && !full.segments.some((s) => s.coderId === CONSENSUS_CODER.id))
      throw new HttpError(
        409,
        'There is no consensus coding yet: record decisions on the Consensus page, or export every coder’s segments.',
      );
    const project = layer === 'consensus' ? consensusLayer(full) : full;
    const media = await recordingsOf(ctx, q.project.id, state);
    const { bytes, warnings } = exportQdpx(project, {
      positionUnit: unit,
      media,
      mergedCodes: mergedCodes(state),
    });
    await ctx.store.qual.record(q.project.id, q.actor, [
      {
        action: 'export.qdpx',
        entity: { kind: 'project', id: project.id },
        after: {
          positionUnit: unit,
          layer,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          segments: project.segments.length,
          warnings: warnings.length,
        },
      },
    ]);
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="${fileBase(project.name)}.qdpx"`)
      .header('cache-control', 'no-store')
      .send(Buffer.from(bytes));
  });

  app.get('/studies/:id/qual/codebook.qdc', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { project } = await projectOf(ctx, q);
    const { xml } = codebookToQdc(project.codes, { namespace: project.id, themes: project.themes });
    await ctx.store.qual.record(q.project.id, q.actor, [
      {
        action: 'export.qdc',
        entity: { kind: 'project', id: project.id },
        after: { codes: project.codes.length },
      },
    ]);
    return reply
      .header('content-type', 'application/xml; charset=utf-8')
      .header('content-disposition', `attachment; filename="${fileBase(project.name)}.qdc"`)
      .header('cache-control', 'no-store')
      .send(xml);
  });

  app.post('/studies/:id/qual/import', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.owner);
    const form = parseBody(req, ImportForm);
    const projectId = `study-${q.study.id}`;
    let report: ImportReport;
    if (form.kind === 'qdpx') {
      const r = await readQdpxUpload(form.file_b64, projectId);
      await applyPlan(ctx, q, (state) => qdpxImportPlan(state, r));
      report = r.report;
    } else {
      const r = readQdcUpload(form.xml, form.file_b64);
      await applyPlan(ctx, q, (state) => qdcImportPlan(state, r, projectId));
      report = r.report;
    }
    return sendQualPage(reply, {
      q,
      title: 'Imported',
      section: 'exchange',
      status: 201,
      body: () => importReportView(report, qualBase(q.study.id)),
    });
  });

  // ------------------------------------------------------------------------------------------------------
  // Audit trail

  const trailFor = async (q: QualReq) => {
    const state = await stateOf(ctx, q);
    const log = await ctx.store.qual.auditTrail(q.project.id);
    return { state, log };
  };

  app.get('/studies/:id/qual/audit', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.owner);
    const { state, log } = await trailFor(q);
    const model = auditModel({
      base: qualBase(q.study.id),
      log,
      verification: await ctx.store.qual.verifyAudit(q.project.id),
      names: coderNames(state),
      blind: !q.project.comparisonOpen,
      coderId: q.coderId,
    });
    return sendQualPage(reply, { q, title: 'Audit trail', section: 'audit', body: () => auditView(model) });
  });

  for (const ext of ['csv', 'json', 'md'] as const)
    app.get(`/studies/:id/qual/audit.${ext}`, async (req, reply) => {
      const q = await loadQual(ctx, req, ROLES.owner);
      const { state, log } = await trailFor(q);
      if (!q.project.comparisonOpen && othersSegments(log, q.coderId))
        throw new HttpError(
          409,
          'The full audit trail contains other coders’ segments, which stay hidden while coding is blind. Open comparison, then download it.',
          'blind',
        );
      const names = coderNames(state);
      const name = `${fileBase(q.project.name)}-audit.${ext}`;
      reply
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store');
      if (ext === 'csv') return reply.type('text/csv; charset=utf-8').send(auditToCsv(log));
      if (ext === 'json') return reply.type('application/json; charset=utf-8').send(auditToJson(log));
      return reply.type('text/markdown; charset=utf-8').send(
        auditToMarkdown(log, qualHash, {
          title: `Audit trail: ${q.project.name}`,
          actorName: (id) => names.get(id) ?? id,
        }),
      );
    });
}
