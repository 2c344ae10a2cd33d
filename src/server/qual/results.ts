/**
 * The results table (theme → sub-theme → quotes "(Participant 4)" → support needs) on a page and as Markdown,
 * CSV, DOCX and HTML downloads; the COREQ (32 items) and SRQR (21 items) checklists, pre-filled from the
 * project metadata, with the metadata form. Quotes carry pseudonyms only (core: resultsTable).
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { audienceOf } from '../../core/privacy/suppression.js';
import { QualMetaSchema } from '../../core/qual/model.js';
import {
  type ChecklistOptions,
  checklistTable,
  coreqChecklist,
  resultsTable,
  srqrChecklist,
} from '../../core/qual/results.js';
import { displayRows, tableNotes } from '../../core/report/display.js';
import { REPORT_SCHEMA_VERSION, type Report, type TableSpec } from '../../core/report/spec.js';
import { firstStrongDirection } from '../../core/study/i18n.js';
import { tableCsv } from '../../render/csv.js';
import { renderHtmlDocument } from '../../render/html.js';
import { renderMarkdown } from '../../render/markdown.js';
import type { QualState } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm, field, rawField } from '../form.js';
import { parseQuery, queryChoice } from '../request.js';
import { useHeaders } from '../ui/headers.js';
import {
  applyPlan,
  loadQual,
  projectOf,
  type QualContext,
  type QualReq,
  qualBase,
  seeOther,
  sendQualPage,
  versionField,
} from './common.js';
import { checklistsView, META_FIELDS, resultsView } from './resultsView.js';

function reportOf(title: string, tables: readonly TableSpec[]): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    title,
    language: 'en',
    generatedBy: 'nabz',
    generatedAt: new Date().toISOString(),
    scoringNote: 'Thematic analysis following Braun and Clarke; quotes are attributed by pseudonym.',
    sections: [{ id: 'results', title: 'Results', blocks: [...tables] }],
  };
}

/** A TableSpec as a Word document: one table, header row repeated, right-to-left cells where the text is. */
export async function specDocx(title: string, specs: TableSpec | readonly TableSpec[]): Promise<Uint8Array> {
  const border = { style: BorderStyle.SINGLE, size: 4, color: '999999' };
  const borders = { top: border, bottom: border, left: border, right: border };
  const cell = (text: string, bold = false) =>
    new TableCell({
      borders,
      children: (text === '' ? [''] : text.split('\n')).map((line) => {
        const rtl = firstStrongDirection(line) === 'rtl';
        return new Paragraph({
          bidirectional: rtl,
          ...(rtl ? { alignment: AlignmentType.RIGHT } : {}),
          children: [new TextRun({ text: line, bold, rightToLeft: rtl })],
        });
      }),
    });
  const tableOf = (spec: TableSpec) => [
    new Paragraph({ text: spec.title, heading: HeadingLevel.HEADING_2 }),
    new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: rowsOf(spec) }),
    ...tableNotes(spec).map((n) => new Paragraph({ children: [new TextRun({ text: n, italics: true })] })),
  ];
  const rowsOf = (spec: TableSpec) => [
    new TableRow({ tableHeader: true, children: spec.columns.map((c) => cell(c.label, true)) }),
    ...displayRows(spec).map((r) =>
      r.kind === 'group'
        ? new TableRow({
            children: [
              new TableCell({
                borders,
                columnSpan: spec.columns.length,
                children: [new Paragraph({ children: [new TextRun({ text: r.label, bold: true })] })],
              }),
            ],
          })
        : new TableRow({ children: r.cells.map((c) => cell(c)) }),
    ),
  ];
  const doc = new Document({
    creator: 'nabz',
    title,
    sections: [
      {
        children: [
          new Paragraph({ text: title, heading: HeadingLevel.HEADING_1 }),
          ...(Array.isArray(specs) ? specs : [specs as TableSpec]).flatMap(tableOf),
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}

/** A file name from a project name. */
export function fileBase(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/\s+/g, '-')
      .slice(0, 60)
      .toLowerCase() || 'qualitative-project'
  );
}

/** Checklist options for the caller: a viewer's sample description names no group under k (finding 4). */
function checklistOptions(q: QualReq, state: QualState): ChecklistOptions {
  const checks = state.entities.member_check.map((m) => m.data);
  const memberChecks = {
    participants: state.entities.participant.length,
    sent: checks.filter((m) => m.status !== 'not_sent').length,
    returned: checks.filter((m) => ['returned', 'corrected', 'approved'].includes(m.status)).length,
    corrected: new Set(state.entities.correction.map((c) => c.data.participantId)).size,
  };
  const sourceFormats = Object.fromEntries(state.entities.source.map((s) => [s.id, s.data.format]));
  return audienceOf(q.role) === 'exact'
    ? { software: 'nabz', memberChecks, sourceFormats }
    : { software: 'nabz', minCellSize: q.study.minCellSize, memberChecks, sourceFormats };
}

const ResultsQuery = z.object({ include: queryChoice(['all', 'final'], 'all') });

export function registerResults(app: FastifyInstance, ctx: QualContext): void {
  const results = async (req: FastifyRequest) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { project } = await projectOf(ctx, q);
    const { include } = parseQuery(req, ResultsQuery);
    const spec = resultsTable(project, { include, suggestQuotes: 0 });
    return { q, project, include, spec } as const;
  };

  app.get('/studies/:id/qual/results', async (req, reply) => {
    const { q, include, spec } = await results(req);
    const model = { base: qualBase(q.study.id), include, spec };
    return sendQualPage(reply, {
      q,
      title: 'Results table',
      section: 'results',
      body: () => resultsView(model),
    });
  });

  for (const ext of ['md', 'csv', 'docx', 'html'] as const) {
    app.get(`/studies/:id/qual/results.${ext}`, async (req, reply) => {
      const { q, project, include, spec } = await results(req);
      await ctx.store.qual.record(q.project.id, q.actor, [
        {
          action: `export.results_${ext}`,
          entity: { kind: 'project', id: project.id },
          after: { include, rows: spec.rows.length },
        },
      ]);
      const name = `${fileBase(project.name)}-results.${ext}`;
      const title = `${project.name}: results`;
      reply
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store');
      if (ext === 'md')
        return reply.type('text/markdown; charset=utf-8').send(renderMarkdown(reportOf(title, [spec])));
      if (ext === 'csv') return reply.type('text/csv; charset=utf-8').send(tableCsv(spec, { bom: true }));
      if (ext === 'html')
        return useHeaders(reply, 'document')
          .type('text/html; charset=utf-8')
          .send(renderHtmlDocument(reportOf(title, [spec]), new Map()));
      return reply
        .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
        .send(Buffer.from(await specDocx(title, spec)));
    });
  }

  // ------------------------------------------------------------------------------------------------------
  // Checklists

  app.get('/studies/:id/qual/checklists', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.read);
    const { state, project } = await projectOf(ctx, q);
    const model = {
      base: qualBase(q.study.id),
      coreq: checklistTable(coreqChecklist(project, checklistOptions(q, state))),
      srqr: checklistTable(srqrChecklist(project, checklistOptions(q, state))),
      form: q.editor ? { version: q.project.version, meta: project.meta } : null,
    };
    return sendQualPage(reply, {
      q,
      title: 'COREQ and SRQR',
      section: 'checklists',
      body: (csrf) => checklistsView(model, csrf),
    });
  });

  for (const ext of ['md', 'docx'] as const)
    app.get(`/studies/:id/qual/checklists.${ext}`, async (req, reply) => {
      const q = await loadQual(ctx, req, ROLES.read);
      const { state, project } = await projectOf(ctx, q);
      const coreq = checklistTable(coreqChecklist(project, checklistOptions(q, state)));
      const srqr = checklistTable(srqrChecklist(project, checklistOptions(q, state)));
      const name = `${fileBase(project.name)}-checklists.${ext}`;
      reply
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store');
      if (ext === 'md')
        return reply.type('text/markdown; charset=utf-8').send(
          renderMarkdown({
            ...reportOf(`${project.name}: reporting checklists`, [coreq, srqr]),
            scoringNote: 'COREQ (Tong et al. 2007) and SRQR (O’Brien et al. 2014).',
          }),
        );
      return reply
        .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
        .send(Buffer.from(await specDocx(`${project.name}: COREQ and SRQR`, mergeSpecs(coreq, srqr))));
    });

  app.post('/studies/:id/qual/meta', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const b = asForm(req.body);
    const version = versionField(b);
    const meta: Record<string, unknown> = {};
    for (const [k] of META_FIELDS) {
      const v = rawField(b, k).trim();
      if (v) meta[k] = v;
    }
    const size = field(b, 'sampleSize');
    if (size) meta.sampleSize = Number(size);
    const pilot = field(b, 'pilotTested');
    if (pilot) meta.pilotTested = pilot === '1';
    const team = rawField(b, 'team')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const [label, role, credentials, occupation, gender, experience, facilitator] = l
          .split('|')
          .map((x) => x.trim());
        return {
          label: label ?? '',
          ...(role ? { role } : {}),
          ...(credentials ? { credentials } : {}),
          ...(occupation ? { occupation } : {}),
          ...(gender ? { gender } : {}),
          ...(experience ? { experience } : {}),
          ...(facilitator ? { facilitator: /^(yes|y|true|1)$/i.test(facilitator) } : {}),
        };
      });
    if (team.length) meta.team = team;
    const r = QualMetaSchema.safeParse(meta);
    if (!r.success)
      throw new HttpError(
        400,
        `The metadata is not valid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        'validation',
      );
    await applyPlan(ctx, q, (state) => ({
      project: {
        expect: version,
        doc: { ...state.project.doc, meta: r.data },
        audit: { action: 'project.meta', before: state.project.doc.meta, after: r.data },
      },
      result: null,
    }));
    return seeOther(reply, `${qualBase(q.study.id)}/checklists`);
  });
}

/** Two checklist tables as one (SRQR's rows after COREQ's, under a group row). */
function mergeSpecs(a: TableSpec, b: TableSpec): TableSpec {
  return {
    ...a,
    title: `${a.title} and ${b.title}`,
    rows: [{ kind: 'group', label: a.title }, ...a.rows, { kind: 'group', label: b.title }, ...b.rows],
    notes: [...a.notes, ...b.notes],
  };
}
