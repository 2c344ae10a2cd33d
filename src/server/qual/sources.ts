/**
 * Transcripts and coding: the list of sources, transcript import (.txt, .vtt, .srt pasted or uploaded; .docx
 * uploaded), the coding page (speaker turns, `dir="auto"` per paragraph, existing segments highlighted, the
 * coding form) and segment deletion.
 *
 * Upload without multipart: the server takes forms as application/x-www-form-urlencoded only. Text formats can
 * be pasted into the textarea (no JavaScript needed); a chosen file is read by the page's script into a hidden
 * base64 field (`file_b64`) with its name (`file_name`), which is the only way to bring a .docx.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type CodingInput, codePassage } from '../../core/qual/coding.js';
import { guessFormat, prepareImport, type TranscriptFormat, transcriptName } from '../../core/qual/import.js';
import { codePointLength } from '../../core/qual/offsets.js';
import { FORBIDDEN_TEXT } from '../../core/response/submission.js';
import { DOCX_MAX_XML_BYTES, docxParagraphsAsync } from '../../import/docx.js';
import type { QualChange, QualPlan, QualRefusal, QualState, Refused } from '../../store/index.js';
import { toQualProject } from '../../store/index.js';
import { ROLES } from '../auth/guard.js';
import { HttpError, tooLarge } from '../errors.js';
import { asForm } from '../form.js';
import { formList, formOption, formRawText, formText, parseBody, segments } from '../request.js';
import {
  applyPlan,
  type Coder,
  coderNames,
  decodeBase64,
  ensureCoder,
  invalid,
  loadQual,
  newId,
  nowIso,
  type QualContext,
  qualBase,
  quoteRemovals,
  refuse,
  seeOther,
  sendQualPage,
  stateOf,
  versionField,
} from './common.js';
import {
  codingModel,
  codingView,
  type ImportedModel,
  importedView,
  type SourceRow,
  sourcesView,
} from './sourcesView.js';

function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(
      400,
      `"${name}" is not UTF-8 text. Save it as UTF-8 (in Word: Save As → Plain Text → Unicode (UTF-8)) and upload it again.`,
      'validation',
    );
  }
}

/**
 * The longest transcript accepted, in characters (code points). A 90-minute focus group is about 100,000; the
 * bound keeps a small compressed upload (a .docx inflates) from storing megabytes that every page then loads.
 */
const MAX_TRANSCRIPT_CHARS = 1_000_000;

/**
 * The text of an uploaded or pasted transcript, ready for {@link importTranscript}: a .docx is read off the
 * event loop within its bounds (413 over them, 400 when it is not a Word document), a text file must be UTF-8,
 * and the text must fit {@link MAX_TRANSCRIPT_CHARS} (413) and hold no non-characters (400).
 */
async function transcriptText(
  format: TranscriptFormat,
  content: { text?: string; bytes?: Uint8Array; fileName?: string },
): Promise<{ text: string; problems: string[] }> {
  const name = content.fileName || 'the file';
  let text: string;
  let problems: string[] = [];
  if (format === 'docx') {
    if (!content.bytes)
      throw new HttpError(
        400,
        'A .docx transcript must be uploaded as a file (it cannot be pasted).',
        'validation',
      );
    const d = await docxParagraphsAsync(content.bytes);
    if (d.failed === 'too_large')
      throw tooLarge(
        `The text of "${name}" (uncompressed)`,
        DOCX_MAX_XML_BYTES,
        'Split the transcript into several documents.',
      );
    if (d.failed)
      throw new HttpError(
        400,
        `"${name}" is not a Word document that can be read (${d.problems.join('; ')}); nothing was saved. Open it in Word, save it as .docx and upload it again, or paste its text.`,
        'validation',
      );
    text = d.paragraphs.join('\n');
    problems = d.problems;
  } else text = content.text ?? decodeUtf8(content.bytes ?? new Uint8Array(), name);
  const length = codePointLength(text);
  if (length > MAX_TRANSCRIPT_CHARS)
    throw new HttpError(
      413,
      `The transcript has ${length.toLocaleString('en')} characters, more than the ${MAX_TRANSCRIPT_CHARS.toLocaleString('en')} a transcript may have; nothing was saved. Split it into several transcripts.`,
      'too_large',
    );
  const bad = FORBIDDEN_TEXT.exec(text);
  if (bad) {
    const line = text.slice(0, bad.index).split('\n').length;
    throw new HttpError(
      400,
      `The transcript contains a character that is not text (U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}) on line ${line}; nothing was saved. Remove it and import again.`,
      'validation',
    );
  }
  return { text, problems };
}

/** The transcript import form. */
const SourceForm = z.object({
  name: formText,
  language: formText,
  format: formOption(['txt', 'vtt', 'srt', 'docx', ''], ''),
  text: formRawText,
  file_b64: formText,
  file_name: formText,
  participants: formText,
  pseudonymize: formText,
});

/** What an import form asks for: the transcript's name, language and format, and its pasted text or bytes. */
interface TranscriptUpload {
  readonly name: string;
  readonly language: string;
  readonly format: TranscriptFormat;
  readonly content: { text: string } | { bytes: Uint8Array; fileName: string };
  readonly autoParticipants: boolean;
  readonly pseudonymize: boolean;
}

/** The import form read: 400 when it has neither pasted text nor a file, or the file's base64 is damaged. */
function transcriptUpload(form: z.output<typeof SourceForm>): TranscriptUpload {
  if (!form.file_b64 && form.text.trim() === '')
    throw new HttpError(400, 'Paste the transcript into the text box, or choose a file.', 'validation');
  const bytes = form.file_b64 ? decodeBase64(form.file_b64) : undefined;
  return {
    name: transcriptName(form.name, form.file_name),
    language: form.language || 'en',
    format: form.format || guessFormat(bytes ? '' : form.text, form.file_name),
    content: bytes ? { bytes, fileName: form.file_name } : { text: form.text },
    autoParticipants: form.participants === '1',
    pseudonymize: form.pseudonymize === '1',
  };
}

/** The changes that import a transcript (core's `prepareImport`), and what the page after it says. */
function sourceImportPlan(
  state: QualState,
  coder: Coder,
  u: TranscriptUpload & { id: string; content: { text: string; problems: string[] } },
): QualPlan<Omit<ImportedModel, 'base' | 'sourceId'>> {
  const {
    transcript: t,
    added,
    replacements,
  } = prepareImport(
    u.format,
    u.content,
    { id: u.id, name: u.name, language: u.language, createdAt: nowIso() },
    state.entities.participant.map((p) => p.data),
    { autoParticipants: u.autoParticipants, pseudonymize: u.pseudonymize, newId },
  );
  const source: QualChange = {
    kind: 'source',
    id: u.id,
    expect: 'new',
    data: { source: t.source, turns: t.turns, format: u.format },
    audit: { action: 'source.import' },
  };
  return {
    changes: [
      ...ensureCoder(state, coder),
      ...added.map((p) => ({ kind: 'participant' as const, id: p.id, expect: 'new' as const, data: p })),
      source,
    ],
    result: {
      name: u.name,
      format: u.format,
      language: u.language,
      length: codePointLength(t.source.text),
      turns: t.turns.length,
      linked: t.turns.filter((x) => x.participantId).length,
      added: added.map((p) => p.pseudonym),
      replacements,
      notes: t.issues.map((i) => i.message),
    },
  };
}

/** The coding form. */
const CodingForm = z.object({
  turn: formText,
  start: formText,
  end: formText,
  codes: formList,
  new_code: formText,
  memo: formText,
});

/** The changes that code a passage (core's `codePassage`): a new code when one was named, and the segment. */
function codingPlan(
  state: QualState,
  coder: Coder,
  input: CodingInput,
  segmentId: string,
): QualPlan<null> | Refused<QualRefusal> {
  const src = state.get('source', input.sourceId);
  if (!src) return refuse('not_found', 'Transcript not found.');
  const coding = codePassage(toQualProject(state), src.data.turns, input, {
    segmentId,
    coderId: coder.actor.coderId,
    coderName: coder.user.displayName,
    blind: !state.project.comparisonOpen,
    at: nowIso(),
    newCodeId: () => newId('code'),
  });
  if (!coding.ok) return invalid(coding.issues);
  const { segment, newCode } = coding.value;
  const changes: QualChange[] = [...ensureCoder(state, coder)];
  if (newCode) changes.push({ kind: 'code', id: newCode.id, expect: 'new', data: newCode });
  changes.push({ kind: 'segment', id: segmentId, expect: 'new', data: segment });
  return { changes, result: null };
}

/** The transcripts list: each transcript with its counts (segments: those the caller may see). */
function sourceRows(state: QualState): SourceRow[] {
  return state.entities.source.map((s) => ({
    id: s.id,
    name: s.data.source.name,
    language: s.data.source.language,
    format: s.data.format,
    length: codePointLength(s.data.source.text),
    turns: s.data.turns.length,
    participants: new Set(s.data.turns.filter((t) => t.participantId).map((t) => t.participantId)).size,
    segments: state.entities.segment.filter((x) => x.data.sourceId === s.id).length,
  }));
}

export function registerSources(app: FastifyInstance, ctx: QualContext): void {
  app.get('/studies/:id/qual/sources', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const state = await stateOf(ctx, q);
    const model = { base: qualBase(q.study.id), blind: state.blind, rows: sourceRows(state) };
    return sendQualPage(reply, {
      q,
      title: 'Transcripts',
      section: 'sources',
      body: (csrf) => sourcesView(model, csrf),
    });
  });

  app.post('/studies/:id/qual/sources', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const upload = transcriptUpload(parseBody(req, SourceForm));
    const content = await transcriptText(upload.format, upload.content);
    const id = newId('src');
    const summary = await applyPlan(ctx, q, (state) =>
      sourceImportPlan(state, q, { ...upload, id, content }),
    );
    return sendQualPage(reply, {
      q,
      title: 'Transcript imported',
      section: 'sources',
      status: 201,
      body: () => importedView({ base: qualBase(q.study.id), sourceId: id, ...summary }),
    });
  });

  // Delete a transcript with every segment coded on it. Refused while a theme quotes one of its segments;
  // an analyst may not delete other coders' segments with it (the owner may). The audit trail records the
  // deletion without the text (auditView).
  app.post('/studies/:id/qual/sources/:sid/delete', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { sid } = segments(req, 'sid');
    await applyPlan(ctx, q, (state) => {
      const old = state.get('source', sid);
      if (!old) return refuse('not_found', 'That transcript no longer exists.');
      const segments = state.entities.segment.filter((s) => s.data.sourceId === sid);
      const ids = new Set(segments.map((s) => s.id));
      const quoting = state.entities.theme.filter((t) => t.data.quoteSegmentIds.some((x) => ids.has(x)));
      if (quoting.length)
        return refuse(
          'invalid',
          `Theme(s) ${quoting.map((t) => `"${t.data.name}"`).join(', ')} quote this transcript; remove those quotes first.`,
        );
      const others = segments.filter((s) => s.data.coderId !== q.actor.coderId).length;
      if (others && !q.owner)
        return refuse(
          'invalid',
          `Other coders have ${others} segment(s) on "${old.data.source.name}"; only the study's owner can delete it.`,
        );
      return {
        changes: [
          ...ensureCoder(state, q),
          ...segments.map((s) => ({ kind: 'segment' as const, id: s.id, expect: s.version, data: null })),
          { kind: 'source', id: sid, expect: old.version, data: null },
        ],
        result: null,
      };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/sources`);
  });

  app.get('/studies/:id/qual/sources/:sid', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { sid } = segments(req, 'sid');
    const state = await stateOf(ctx, q);
    const src = state.get('source', sid);
    if (!src) throw new HttpError(404, 'Transcript not found.', 'not_found');
    const model = codingModel({
      base: qualBase(q.study.id),
      studyId: q.study.id,
      source: { id: src.id, ...src.data },
      project: toQualProject(state),
      segmentVersions: new Map(state.entities.segment.map((s) => [s.id, s.version])),
      coderNames: coderNames(state),
      viewer: q.coderId,
      blind: state.blind,
    });
    return sendQualPage(reply, {
      q,
      title: `Coding – ${model.name}`,
      section: 'sources',
      body: (csrf) => codingView(model, csrf),
    });
  });

  app.post('/studies/:id/qual/sources/:sid/segments', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { sid } = segments(req, 'sid');
    const form = parseBody(req, CodingForm);
    const input = { sourceId: sid, ...form, codeIds: form.codes, newCode: form.new_code };
    const segmentId = newId('seg');
    await applyPlan(ctx, q, (state) => codingPlan(state, q, input, segmentId));
    return seeOther(reply, `${qualBase(q.study.id)}/sources/${encodeURIComponent(sid)}#transcript`);
  });

  app.post('/studies/:id/qual/segments/:segId/delete', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.work);
    const { segId } = segments(req, 'segId');
    const version = versionField(asForm(req.body));
    const sid = await applyPlan(ctx, q, (state) => {
      const seg = state.get('segment', segId);
      // Another coder's segment is "not found" while coding is blind, and never deletable.
      if (!seg || (seg.data.coderId !== q.actor.coderId && state.project.comparisonOpen === false))
        return refuse('not_found', 'Segment not found.');
      if (seg.data.coderId !== q.actor.coderId)
        return refuse('invalid', 'You can delete only your own segments.');
      const changes: QualChange[] = [
        { kind: 'segment', id: segId, expect: version, data: null },
        ...quoteRemovals(state, new Set([segId])),
      ];
      for (const m of state.entities.memo)
        if (m.data.target.kind === 'segment' && m.data.target.id === segId)
          changes.push({ kind: 'memo', id: m.id, expect: 'any', data: null });
      return { changes, result: seg.data.sourceId };
    });
    return seeOther(reply, `${qualBase(q.study.id)}/sources/${encodeURIComponent(sid)}#transcript`);
  });
}
