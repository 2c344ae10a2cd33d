/**
 * Bring existing data into a study: upload a Google Forms / CSV / XLSX export, match its columns on a mapping
 * screen, check it with a dry run, then import every row in one transaction (issue 14).
 *
 * | route | what |
 * |---|---|
 * | `GET /studies/:id/import` | the upload form and what was imported so far |
 * | `POST /studies/:id/import` | multipart upload of the file (at most {@link IMPORT_BODY_LIMIT} bytes; 413 above) |
 * | `GET /studies/:id/import/:upload` | the mapping screen: every column and its match, "did you mean" choices, values that do not match, "k of n instrument items matched", the dry run |
 * | `POST /studies/:id/import/:upload/mapping` | the columns and values chosen (a mapping file, docs/importing.md) |
 * | `POST /studies/:id/import/:upload/import` | the import: refused (409, nothing stored) unless the dry run passes |
 *
 * Owners only: an import adds data to the study, like the definition changes only owners make (analysts read
 * and export; viewers see aggregates). A POST from anyone else is refused before its body is read. The file is
 * read with the same importer and under the same rules as `nabz analyze` (src/import/, core/response/): a
 * score's items and the group variables must all have a column, an answer the study does not know is an
 * error, never a silent missing value.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { answersOfRows } from '../../core/response/importRows.js';
import { markNotShown } from '../../core/response/skipLogic.js';
import { MAX_UPLOAD_BYTES } from '../../store/index.js';
import { ROLES, requireStudyRole } from '../auth/guard.js';
import { HttpError, sizeText, tooLarge } from '../errors.js';
import { asForm } from '../form.js';
import { parseParams, parseQuery, segment, segments } from '../request.js';
import { checkedOf, loadStudy, page, type StudioContext, seeOther } from './common.js';
import { dryRun, mappingFromForm, mappingModel, uploadFormat } from './importRun.js';
import { mappingPage, uploadPage } from './importView.js';
import { issuesHtml } from './layout.js';
import { type MultipartForm, multipartBoundary, parseMultipart } from './multipart.js';

/** The largest upload the studio takes (an export of ~100,000 responses × 40 columns). */
export const IMPORT_BODY_LIMIT = Math.min(20 * 1024 * 1024, MAX_UPLOAD_BYTES);

const UploadParams = z.object({ id: segment, upload: z.coerce.number().int().positive() });
const ResultQuery = z.object({
  added: z.coerce.number().int().nonnegative().optional(),
  already: z.coerce.number().int().nonnegative().optional(),
});

export function registerImport(app: FastifyInstance, ctx: StudioContext): void {
  void app.register(async (sub) => importRoutes(sub, ctx));
}

/** The files of each multipart body the parser below made, by body: the handler reads them back without a cast. */
const uploadedFiles = new WeakMap<object, MultipartForm['files']>();

async function importRoutes(app: FastifyInstance, ctx: StudioContext): Promise<void> {
  const { store } = ctx;
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT },
    (req, body, done) => {
      try {
        const form = parseMultipart(body as Buffer, multipartBoundary(req.headers['content-type']));
        const parsed = { ...form.fields, files: form.files };
        uploadedFiles.set(parsed, form.files);
        done(null, parsed);
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );
  // Only owners may send a file: anyone else is refused before the (possibly large) body is read.
  app.addHook('preParsing', async (req) => {
    if (req.method === 'POST') await requireStudyRole(req, segments(req, 'id').id, ROLES.owner);
  });
  app.setErrorHandler(async (err) => {
    if ((err as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      throw tooLarge(
        'The file',
        IMPORT_BODY_LIMIT,
        'Split the export into parts, or leave out columns the study does not use.',
      );
    throw err;
  });

  /** The upload of `:upload` (404 when it is not this owner's pending upload of this study). */
  const loadUpload = async (req: FastifyRequest) => {
    const s = await loadStudy(req, ROLES.owner);
    const { upload } = parseParams(req, UploadParams);
    const u = await store.imports.upload(s.study.id, upload, s.user.id);
    if (!u)
      throw new HttpError(
        404,
        'This upload is not there any more (it was imported, replaced by a newer one, or is over a day old). Upload the file again.',
        'not_found',
      );
    const checked = checkedOf(s.study);
    if ('issues' in checked)
      throw new HttpError(
        409,
        `The study definition has problems; fix them under Design first: ${checked.issues.map((i) => i.message).join('; ')}`,
        'invalid_study',
      );
    return { s, u, resolved: checked.resolved, action: `/studies/${s.study.id}/import/${u.id}` };
  };

  const sendMapping = async (
    reply: FastifyReply,
    l: Awaited<ReturnType<typeof loadUpload>>,
    status = 200,
  ) => {
    const run = await dryRun(store, l.s.study.id, l.u, l.resolved);
    return page(reply, {
      title: `Import – ${l.s.study.title}`,
      user: l.s.user,
      study: l.s.layoutStudy,
      active: 'exports',
      status,
      body: (csrf) => mappingPage(mappingModel(l.action, l.u, run), csrf),
    });
  };

  app.get('/studies/:id/import', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const q = parseQuery(req, ResultQuery);
    const result = q.added !== undefined ? { added: q.added, already: q.already ?? 0 } : undefined;
    const sources = await store.imports.sources(s.study.id);
    const action = `/studies/${s.study.id}/import`;
    return page(reply, {
      title: `Import – ${s.study.title}`,
      user: s.user,
      study: s.layoutStudy,
      active: 'exports',
      body: (csrf) => uploadPage({ action, limitText: sizeText(IMPORT_BODY_LIMIT), sources, result }, csrf),
    });
  });

  app.post('/studies/:id/import', async (req, reply) => {
    const s = await loadStudy(req, ROLES.owner);
    const files = typeof req.body === 'object' && req.body !== null ? uploadedFiles.get(req.body) : undefined;
    if (!files)
      throw new HttpError(
        415,
        'Send the file with the upload form (multipart/form-data); nothing was saved.',
        'unsupported_media_type',
      );
    const file = files.find((f) => f.field === 'file');
    if (!file || file.bytes.length === 0)
      throw new HttpError(
        400,
        'No file was chosen, or it is empty; nothing was saved. Choose a .csv or .xlsx export and upload it.',
        'validation',
      );
    const format = uploadFormat(file.fileName, file.bytes);
    const saved = await store.imports.saveUpload({
      studyId: s.study.id,
      userId: s.user.id,
      fileName: file.fileName,
      format,
      bytes: file.bytes,
    });
    return seeOther(reply, `/studies/${s.study.id}/import/${saved.id}`);
  });

  app.get('/studies/:id/import/:upload', async (req, reply) => sendMapping(reply, await loadUpload(req)));

  app.post('/studies/:id/import/:upload/mapping', async (req, reply) => {
    const l = await loadUpload(req);
    const run = await dryRun(store, l.s.study.id, l.u, l.resolved);
    const mapping = mappingFromForm(run, l.u.mapping, asForm(req.body));
    if (!mapping.ok)
      return page(reply, {
        title: 'Please check',
        user: l.s.user,
        study: l.s.layoutStudy,
        status: 400,
        body: () => issuesHtml(mapping.issues, 'The choices could not be used:'),
      });
    await store.imports.setMapping(l.s.study.id, l.u.id, mapping.value);
    return seeOther(reply, l.action);
  });

  app.post('/studies/:id/import/:upload/import', async (req, reply) => {
    const l = await loadUpload(req);
    const run = await dryRun(store, l.s.study.id, l.u, l.resolved);
    // Not ready: the mapping screen again, with its dry run saying why; nothing is stored.
    if (!run.ready || !run.result.ok) return sendMapping(reply, l, 409);
    const { dataset, submittedAt } = run.result;
    markNotShown(
      dataset,
      [...l.resolved.variables.values()].map((v) => v.item),
    );
    const answers = answersOfRows(dataset, run.targets, new Set(run.result.mappingReport.missingTargets));
    const done = await store.imports.importRows({
      studyId: l.s.study.id,
      actorUserId: l.s.user.id,
      sha256: l.u.sha256,
      fileName: l.u.fileName,
      uploadId: l.u.id,
      language: l.resolved.study.languages[0] ?? 'en',
      rows: answers.map((a, i) => {
        const t = submittedAt?.[i];
        return {
          row: i + 1,
          answers: a,
          submittedAt: t !== undefined && Number.isFinite(t) ? new Date(t) : null,
        };
      }),
    });
    if (!done.ok)
      throw new HttpError(409, done.message, done.code === 'unknown_study' ? 'unknown_study' : 'conflict');
    return seeOther(reply, `/studies/${l.s.study.id}/import?added=${done.added}&already=${done.already}`);
  });
}
