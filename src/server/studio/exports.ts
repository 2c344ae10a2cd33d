/**
 * Dataset exports (owner and analyst; a viewer gets 403): CSV (labels or codes), XLSX, SPSS .sav with variable
 * labels, value labels and missing-value codes, the scored dataset, and the codebook — written by
 * src/render/export. Every export is streamed: records are paged out of the database one batch at a time
 * (`store.responses.iterate`) and bytes leave in chunks with backpressure, so memory stays flat for 100k+
 * responses. Free-text answers are left out unless chosen; dates, not times, unless the owner recorded times
 * and they are chosen. Every export is written to the audit log before its first byte is sent.
 */
import { PassThrough, Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Issue } from '../../core/instrument/schema.js';
import { studyTitleText } from '../../core/study/i18n.js';
import type { ResolvedStudy } from '../../core/study/resolve.js';
import {
  buildVariables,
  csvChunks,
  type ExportOptions,
  type ExportRecord,
  renderCodebook,
  savChunks,
  writeXlsx,
} from '../../render/export/index.js';
import type { Store, Study } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { asForm } from '../form.js';
import { useHeaders } from '../ui/headers.js';
import { type Html, html } from '../ui/html.js';
import { checkedOf, loadStudy, page, type StudioContext } from './common.js';
import { checked, type Fields, field } from './definition.js';
import { checkbox } from './forms.js';
import { csrfField, issuesHtml } from './layout.js';

const EXPORT_FORMATS = {
  csv: { label: 'Dataset as CSV', type: 'text/csv; charset=utf-8', ext: 'csv' },
  xlsx: {
    label: 'Dataset as Excel (XLSX)',
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ext: 'xlsx',
  },
  sav: {
    label: 'SPSS / PSPP (.sav) with variable and value labels',
    type: 'application/x-spss-sav',
    ext: 'sav',
  },
  scored: {
    label: 'Scored dataset (CSV: items, scores, bands, items answered)',
    type: 'text/csv; charset=utf-8',
    ext: 'csv',
  },
  codebook: { label: 'Codebook (HTML)', type: 'text/html; charset=utf-8', ext: 'html' },
  codebook_csv: { label: 'Codebook (CSV)', type: 'text/csv; charset=utf-8', ext: 'csv' },
} as const;
type ExportFormat = keyof typeof EXPORT_FORMATS;

/** Whether a study keeps submission times at all (not anonymous, or the owner turned times on). */
function keepsTimes(study: Pick<Study, 'anonymous' | 'recordTimes'>): boolean {
  return !study.anonymous || study.recordTimes;
}

/** The stored responses of a study as export records, one at a time. */
export async function* exportRecords(
  store: Store,
  studyId: number,
  includeTimes: boolean,
): AsyncGenerator<ExportRecord> {
  // In public-id order: random, not the order of submission (docs/security.md, finding 6).
  for await (const r of store.responses.iterateShuffled(studyId, { batchSize: 500 })) {
    yield {
      responseId: r.publicId,
      submittedOn: r.submittedOn,
      ...(includeTimes && r.submittedAt ? { submittedAt: r.submittedAt.toISOString() } : {}),
      language: r.language,
      ...(r.referralWave !== null ? { referralWave: r.referralWave } : {}),
      ...(r.source !== null ? { source: r.source } : {}),
      ...(r.consent !== null ? { consentVersion: r.consent.version } : {}),
      ...(r.panelId !== null ? { panelId: r.panelId } : {}),
      answers: r.answers,
    };
  }
}

/** What the exports page shows: the counts, whether the definition resolves, what the form offers. */
export interface ExportsModel {
  readonly studyId: number;
  /** Stored responses, and how many of them were imported from exports. */
  readonly n: number;
  readonly imported: number;
  readonly isOwner: boolean;
  /** The definition's problems, when it does not resolve (no form then). */
  readonly issues: readonly Issue[] | undefined;
  /** Whether the study keeps submission times (offers "Time of submission"). */
  readonly times: boolean;
}

function exportForm(m: ExportsModel, csrf: string): Html {
  const formats = (Object.keys(EXPORT_FORMATS) as ExportFormat[]).map(
    (f, i) =>
      html`<label class="check" for="x-format-${f}"><input type="radio" id="x-format-${f}" name="format" value="${f}"${i === 0 && html` checked`}><span>${EXPORT_FORMATS[f].label}</span></label>`,
  );
  return html`<form method="post" action="/studies/${m.studyId}/exports" class="stack">${csrfField(csrf)}<fieldset><legend>Format</legend>${formats}</fieldset><fieldset><legend>Values (CSV and Excel)</legend><label class="check" for="x-labels-codes"><input type="radio" id="x-labels-codes" name="labels" value="codes" checked><span>Codes (1, 2, 3 …)</span></label><label class="check" for="x-labels-labels"><input type="radio" id="x-labels-labels" name="labels" value="labels"><span>Labels ("Female", "Not at all" …)</span></label><p class="hint">The .sav file always holds codes with their value labels.</p></fieldset><fieldset><legend>No answer (CSV and Excel)</legend><label class="check" for="x-missing-empty"><input type="radio" id="x-missing-empty" name="missing" value="empty" checked><span>Empty cells</span></label><label class="check" for="x-missing-codes"><input type="radio" id="x-missing-codes" name="missing" value="codes"><span>Codes: -9 skipped, -8 not applicable, -7 not shown</span></label></fieldset><fieldset><legend>Include</legend>${checkbox('x', 'includeScores', 'Scores, bands and items answered per score', false)}${checkbox(
    'x',
    'includeFreeText',
    'Free-text answers',
    false,
    {
      hint: 'Left out by default: free text can identify a respondent.',
    },
  )}${
    m.times
      ? checkbox('x', 'includeTimes', 'Time of submission', false, {
          hint: 'Otherwise only the date is exported.',
        })
      : html`<p class="hint">Only dates are exported: this study does not record times of submission.</p>`
  }</fieldset><div><button class="primary">Download the export</button></div></form>`;
}

/** The body of the exports page. */
export function exportsView(m: ExportsModel, csrf: string): Html {
  return html`<h1>Exports</h1><p class="muted">${m.n} responses${
    m.imported > 0 && html` (${m.imported} imported from exports: the <code>source</code> column marks them)`
  }. Each download is recorded in the study's audit log.</p>${
    m.isOwner &&
    html`<p><a class="button" href="/studies/${m.studyId}/import">Import responses from a CSV or Excel export</a></p>`
  }${
    m.issues
      ? issuesHtml(m.issues, 'The definition has problems; fix them under Design:')
      : exportForm(m, csrf)
  }`;
}

export function registerExports(app: FastifyInstance, ctx: StudioContext): void {
  const { store } = ctx;

  app.get('/studies/:id/exports', async (req, reply) => {
    const s = await loadStudy(req, ROLES.work);
    const n = await store.responses.count(s.study.id);
    const imported = (await store.imports.sources(s.study.id)).reduce((a, x) => a + x.count, 0);
    const checkedDef = checkedOf(s.study);
    const model: ExportsModel = {
      studyId: s.study.id,
      n,
      imported,
      isOwner: s.role === 'owner',
      issues: 'issues' in checkedDef ? checkedDef.issues : undefined,
      times: keepsTimes(s.study),
    };
    return page(reply, {
      title: `Exports – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'exports',
      body: (csrf) => exportsView(model, csrf),
    });
  });

  app.post('/studies/:id/exports', async (req, reply) => {
    const s = await loadStudy(req, ROLES.work);
    const { study } = s;
    // Imported responses are marked in every export of a study that has them.
    const hasImports = (await store.imports.sources(study.id)).length > 0;
    const choice = exportChoice(asForm(req.body), study, hasImports);
    const { format } = choice;
    // A follow-up wave's exports carry the panel id (what links pre and post).
    const options = study.waveOf !== null ? { ...choice.options, includePanel: true } : choice.options;
    const checkedDef = checkedOf(study);
    if ('issues' in checkedDef)
      throw new HttpError(
        409,
        'The study definition has problems; fix them under Design before exporting.',
        'invalid_study',
      );
    const { resolved } = checkedDef;
    const responses = await store.responses.count(study.id);
    await store.audit.append({
      action: `export.${format}`,
      studyId: study.id,
      actorUserId: s.user.id,
      detail: { format, ...options, responses, version: study.version },
    });
    return sendExport(reply, {
      format,
      options,
      resolved,
      records: exportRecords(store, study.id, options.includeTimes),
    });
  });
}

/**
 * What the export form asks for: a known format (400 naming the choices otherwise), codes or labels, empty
 * cells or missing-value codes, and what to include — times only when the study keeps them (400 otherwise).
 */
export function exportChoice(
  fields: Fields,
  study: Pick<Study, 'anonymous' | 'recordTimes'>,
  hasImports: boolean,
): { format: ExportFormat; options: ExportOptions } {
  const format = field(fields, 'format') as ExportFormat;
  if (!Object.hasOwn(EXPORT_FORMATS, format)) {
    throw new HttpError(
      400,
      `"${format}" is not an export format; choose one of ${Object.keys(EXPORT_FORMATS).join(', ')}.`,
      'validation',
    );
  }
  const includeTimes = checked(fields, 'includeTimes');
  if (includeTimes && !keepsTimes(study)) {
    throw new HttpError(
      400,
      'This study does not record times of submission, so they cannot be exported; untick "Time of submission".',
      'validation',
    );
  }
  return {
    format,
    options: {
      labels: field(fields, 'labels') === 'labels' ? 'labels' : 'codes',
      missing: field(fields, 'missing') === 'codes' ? 'codes' : 'empty',
      includeFreeText: checked(fields, 'includeFreeText'),
      includeTimes,
      includeScores: format === 'scored' || checked(fields, 'includeScores'),
      includeSource: hasImports,
    },
  };
}

/** Stream an export: its file name and headers, then the records in the chosen format. */
function sendExport(
  reply: FastifyReply,
  x: {
    format: ExportFormat;
    options: ExportOptions;
    resolved: ResolvedStudy;
    records: AsyncGenerator<ExportRecord>;
  },
): FastifyReply {
  const { format, options, resolved, records } = x;
  const variables = buildVariables(resolved, options);
  const spec = EXPORT_FORMATS[format];
  const day = new Date().toISOString().slice(0, 10);
  const kind =
    format === 'codebook' || format === 'codebook_csv' ? 'codebook' : format === 'scored' ? 'scored' : 'data';
  // The HTML codebook is a standalone document (inline styles); every other format a file.
  useHeaders(reply, format === 'codebook' ? 'document' : 'file')
    .header('content-type', spec.type)
    .header('content-disposition', `attachment; filename="${resolved.study.id}_${kind}_${day}.${spec.ext}"`);
  const { labels, missing } = options;
  switch (format) {
    case 'csv':
    case 'scored':
      return reply.send(
        Readable.from(csvChunks(variables, records, { labels, missing }), { objectMode: false }),
      );
    case 'sav':
      return reply.send(
        Readable.from(
          savChunks(variables, records, {
            fileLabel: studyTitleText(resolved.study),
            documents: resolved.instruments.map((i) => `${i.shortTitle}: ${i.licence.attribution}`),
          }),
          { objectMode: false },
        ),
      );
    case 'xlsx': {
      const out = new PassThrough();
      writeXlsx(variables, records, out, { labels, missing }).catch((err: unknown) => {
        reply.log.error({ err }, 'xlsx export failed');
        out.destroy(err instanceof Error ? err : new Error(String(err)));
      });
      return reply.send(out);
    }
    case 'codebook':
    case 'codebook_csv': {
      const cb = renderCodebook(variables, resolved.study);
      return reply.send(format === 'codebook' ? cb.html : cb.csv);
    }
  }
}
