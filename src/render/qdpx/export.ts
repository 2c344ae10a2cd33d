/**
 * Export a qualitative project to REFI-QDA: a QDPX project (a ZIP with `project.qde` and the transcripts as
 * UTF-8 text files under `sources/`) and a QDC codebook. Both validate against the REFI-QDA 1.0 schemas
 * (Project.xsd, Codebook.xsd; tests run xmllint).
 *
 * Mapping (nabz → REFI-QDA):
 * - coders who coded or wrote a note → `Users/User` (name only; the optional `id` attribute is left out so
 *   re-exports are identical; a coder with no codings or notes is not written);
 * - codes → nested `CodeBook/Codes/Code` (`isCodable`, `color`); the definition, and examples as a trailing
 *   "Examples:" list of "• " lines, go into `Description`; code memos → `NoteRef`; codes merged into another in
 *   the consensus codebook (`mergedCodes`) → a non-codable sub-code of their target whose `Description` ends in
 *   a "Consensus codebook:" list naming the target's GUID (their codings are the target's);
 * - participants → `Cases/Case` named by pseudonym — never by name — with one `VariableValue` per attribute and
 *   screening result, and a `SelectionRef` to each of their speaker turns (exported as uncoded
 *   `PlainTextSelection`s, so tools can attribute text to cases);
 * - participant attributes → `Variables/Variable`, typed Boolean, Integer, Float or Text from their values;
 *   screening scores are "Screening: <score>", eligibility "Screening eligible"; the source language is the
 *   source variable "Source language"; memo phases the note variable "Braun & Clarke phase";
 * - a transcript's recording → `AudioSource`/`VideoSource` with `path="internal://<guid>.<ext>"`, holding the
 *   transcript as `Transcript` (the same text file) with a `SyncPoint` at each timed turn's start and end;
 * - sources → `Sources/TextSource` with `plainTextPath="internal://<guid>.txt"`; each segment → a
 *   `PlainTextSelection` (start/end in code points by default, see `positionUnit`) created by its coder, with one
 *   `Coding`/`CodeRef` per code and the segment memo as `Description`;
 * - memos → `Notes/Note` (title, author, date, text), referenced from the project, code, source, selection or
 *   theme set they are about;
 * - themes → `Sets/Set` with `MemberCode` for linked codes, `MemberNote` for theme memos, and the definition and
 *   support needs in `Description`, and a "Theme:" list there with the status and the parent set (sign-offs,
 *   disagreements and chosen quotes have no REFI-QDA form).
 */
import type { Issue } from '../../core/instrument/schema.js';
import { sniffMedia } from '../../core/qual/media.js';
import {
  type Code,
  type CodeNode,
  codeTree,
  type Memo,
  type QualProject,
  type Theme,
} from '../../core/qual/model.js';
import { OffsetIndex } from '../../core/qual/offsets.js';
import {
  CODEBOOK_NS,
  CONSENSUS_CODEBOOK_HEADING,
  ELIGIBLE_VARIABLE,
  PHASE_VARIABLE,
  type PositionUnit,
  PROJECT_NS,
  type QdpxMedia,
  SCREENING_PREFIX,
  SOURCE_LANGUAGE_VARIABLE,
} from '../../core/qual/refi.js';
import { findNames } from '../../core/qual/transcript.js';
import { mapAt } from '../../core/stats/at.js';
import { guidFor, hashGuid } from '../../lib/guid.js';
import { countInvalidXmlChars, el, writeXml, type XmlOut } from '../../lib/xml.js';
import { writeZip } from '../../lib/zip.js';

const RESERVED = new Set([SOURCE_LANGUAGE_VARIABLE, PHASE_VARIABLE, ELIGIBLE_VARIABLE]);

interface RefiExportOptions {
  /**
   * 'codepoint' (default): Unicode characters, as REFI-QDA 1.0 describes positions in the plain text and as nabz
   * stores them. 'utf16': UTF-16 code units, for tools that count the way .NET/Java strings do (differs only
   * around emoji and other characters outside the Basic Multilingual Plane).
   */
  readonly positionUnit?: PositionUnit;
  /** `origin` attribute, default "nabz". */
  readonly origin?: string;
  /** Export participants' speaker turns as case selections (default true). */
  readonly caseTurns?: boolean;
  /** Namespace of derived GUIDs (default: the project id). */
  readonly guidNamespace?: string;
  /**
   * Recordings of transcripts, written as `AudioSource`/`VideoSource` (type by the bytes) with the transcript
   * as their `Transcript` and a `SyncPoint` at each timed turn's start and end.
   */
  readonly media?: readonly QdpxMedia[];
  /**
   * Codes merged into another in the consensus codebook (`mergedInto` set), when the project is exported read
   * through it: each is written as a non-codable sub-code of its target with a "Consensus codebook:" list
   * ("• merged into: <target GUID> (<name>)") in its `Description`, so the merge can be rebuilt on import.
   * Their codings are the target's (the project read through the consensus codebook carries them so).
   */
  readonly mergedCodes?: readonly Code[];
}

interface QdeExport {
  /** The project.qde document. */
  readonly xml: string;
  /** Source files: path inside the QDPX ("sources/<guid>.txt", "sources/<guid>.mp3") and text or bytes. */
  readonly files: readonly { readonly path: string; readonly text: string | Uint8Array }[];
  /** Things a researcher should know (e.g. a participant's name still in a transcript). */
  readonly warnings: readonly Issue[];
}

/** A number as xsd:decimal / xsd:integer text: plain digits, never an exponent. */
export function decimalString(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`${x} has no decimal form.`);
  const s = String(x);
  if (!/e/i.test(s)) return s;
  const [mant, expS] = s.toLowerCase().split('e') as [string, string];
  const exp = Number(expS);
  const neg = mant.startsWith('-');
  const m = neg ? mant.slice(1) : mant;
  const [ip, fp = ''] = m.split('.') as [string, string?];
  const digits = ip + fp;
  const point = ip.length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (neg ? '-' : '') + out;
}

/** An ISO date or date-time as xsd:dateTime (adds T00:00:00 to a date, :00 seconds to hh:mm). */
function xsdDateTime(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return `${s}T00:00:00`;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})?$/.exec(s);
  return m ? `${m[1]}:00${m[2] ?? ''}` : s;
}

/**
 * The merged codes to write under each code of the (consensus-read) codebook, by target id. A merged code whose
 * target is not in the codebook is left out with a warning (the file cannot say where it went).
 */
function mergedChildren(
  codes: readonly Code[],
  mergedCodes: readonly Code[],
  warn: (path: string, code: string, message: string) => void,
): Map<string, Code[]> {
  const ids = new Set(codes.map((c) => c.id));
  const out = new Map<string, Code[]>();
  for (const c of mergedCodes) {
    if (c.mergedInto === undefined || ids.has(c.id)) continue;
    if (!ids.has(c.mergedInto)) {
      warn(
        `codes.${c.id}`,
        'merge_target_missing',
        `Code "${c.name}" is merged into a code the export does not carry; the merge is not written.`,
      );
      continue;
    }
    out.set(c.mergedInto, [...(out.get(c.mergedInto) ?? []), c]);
  }
  return out;
}

/** Definition plus "Examples:" list, as written to `Description`. */
function codeDescription(code: Pick<Code, 'definition' | 'examples'>): string | undefined {
  const ex = code.examples.map((e) => `• ${e.replace(/\s*[\r\n]+\s*/g, ' ')}`);
  const parts = [code.definition, ex.length ? `Examples:\n${ex.join('\n')}` : ''].filter((p) => p !== '');
  return parts.length ? parts.join('\n\n') : undefined;
}

/**
 * Definition, "Support needs:" list and (when not a top-level candidate) a "Theme:" list with the status and
 * the parent set's GUID, as written to a theme set's `Description`: REFI-QDA sets have no status and do not
 * nest, so these ride in the text (the import reads them back).
 */
function themeDescription(
  theme: Pick<Theme, 'definition' | 'supportNeeds' | 'status'>,
  parentGuid?: string,
): string | undefined {
  const needs = theme.supportNeeds.map((e) => `• ${e.replace(/\s*[\r\n]+\s*/g, ' ')}`);
  const meta = [
    theme.status !== 'candidate' ? `• status: ${theme.status}` : '',
    parentGuid ? `• sub-theme of: ${parentGuid}` : '',
  ].filter((l) => l !== '');
  const parts = [
    theme.definition,
    needs.length ? `Support needs:\n${needs.join('\n')}` : '',
    meta.length ? `Theme:\n${meta.join('\n')}` : '',
  ].filter((p) => p !== '');
  return parts.length ? parts.join('\n\n') : undefined;
}

type VarType = 'Text' | 'Boolean' | 'Integer' | 'Float';

function varType(values: readonly (string | number | boolean)[]): VarType {
  if (values.length && values.every((v) => typeof v === 'boolean')) return 'Boolean';
  if (values.length && values.every((v) => typeof v === 'number')) {
    return values.every((v) => Number.isSafeInteger(v)) ? 'Integer' : 'Float';
  }
  return 'Text';
}

function valueEl(type: VarType, v: string | number | boolean): XmlOut {
  switch (type) {
    case 'Boolean':
      return el('BooleanValue', [], [v ? 'true' : 'false']);
    case 'Integer':
      return el('IntegerValue', [], [decimalString(v as number)]);
    case 'Float':
      return el('FloatValue', [], [decimalString(v as number)]);
    default:
      return el('TextValue', [], [typeof v === 'number' ? decimalString(v) : String(v)]);
  }
}

interface VarDef {
  readonly name: string;
  readonly guid: string;
  readonly type: VarType;
}

/** The GUIDs of a transcript's recording and of the transcript inside it (kept from an imported file). */
function mediaGuids(project: QualProject, sourceGuid: string): { media: string; transcript: string } {
  return {
    media: project.refiGuids[`media:${sourceGuid}`] ?? hashGuid('media', sourceGuid),
    transcript: project.refiGuids[`transcript:${sourceGuid}`] ?? hashGuid('transcript', sourceGuid),
  };
}

/**
 * `AudioSource`/`VideoSource` elements for the recordings of `options.media` (their files added to `files`):
 * each holds its transcript as a `Transcript` over the same text file as the transcript's `TextSource` (where
 * the codings are), with a `SyncPoint` (milliseconds, position) at the start of each timed turn and at its end.
 */
function mediaSources(
  project: QualProject,
  options: RefiExportOptions,
  unit: PositionUnit,
  files: { path: string; text: string | Uint8Array }[],
  warn: (path: string, code: string, message: string) => void,
): XmlOut[] {
  const ns = options.guidNamespace ?? project.id;
  const out: XmlOut[] = [];
  for (const m of options.media ?? []) {
    const src = project.sources.find((s) => s.id === m.sourceId);
    const type = sniffMedia(m.bytes);
    if (!src || !type) {
      warn(
        `media.${m.sourceId}`,
        'media_left_out',
        `Recording "${m.name}" was left out: ${src ? 'it is not audio or video' : 'its transcript is not exported'}.`,
      );
      continue;
    }
    const sg = guidFor(ns, 'source', src.id);
    const g = mediaGuids(project, sg);
    files.push({ path: `sources/${g.media}.${type.extension}`, text: m.bytes });
    const idx = new OffsetIndex(src.text);
    const pos = (cp: number) => (unit === 'utf16' ? idx.toUtf16(cp) : cp);
    const points = new Map<string, XmlOut>();
    const sync = (position: number, seconds: number) => {
      const at = `${pos(position)}\u0000${Math.round(seconds * 1000)}`;
      if (points.has(at)) return;
      const [p, ms] = at.split('\u0000') as [string, string];
      points.set(
        at,
        el('SyncPoint', [
          ['guid', hashGuid('sync', g.transcript, p, ms)],
          ['timeStamp', ms],
          ['position', p],
        ]),
      );
    };
    for (const t of project.turns[src.id] ?? []) {
      if (t.time !== undefined) sync(t.start, t.time);
      if (t.endTime !== undefined) sync(t.end, t.endTime);
    }
    out.push(
      el(
        type.kind === 'video' ? 'VideoSource' : 'AudioSource',
        [
          ['guid', g.media],
          ['name', m.name],
          ['path', `internal://${g.media}.${type.extension}`],
        ],
        [
          el(
            'Transcript',
            [
              ['guid', g.transcript],
              ['name', src.name],
              ['plainTextPath', `internal://${sg}.txt`],
            ],
            [...points.values()],
          ),
        ],
      ),
    );
  }
  return out;
}

/** Build project.qde and the source files of a project. */
export function projectToQde(project: QualProject, options: RefiExportOptions = {}): QdeExport {
  const ns = options.guidNamespace ?? project.id;
  const unit = options.positionUnit ?? 'codepoint';
  const g = (kind: string, id: string) => guidFor(ns, kind, id);
  const warnings: Issue[] = [];
  const warn = (path: string, code: string, message: string) => warnings.push({ path, code, message });
  const checkText = (path: string, s: string | undefined) => {
    const n = s ? countInvalidXmlChars(s) : 0;
    if (n)
      warn(
        path,
        'invalid_xml_char',
        `${path}: ${n} character(s) XML cannot carry were replaced with U+FFFD.`,
      );
  };

  // Memos by target.
  const memosOf = (kind: Memo['target']['kind'], id?: string) =>
    project.memos.filter(
      (m) => m.target.kind === kind && (id === undefined || ('id' in m.target && m.target.id === id)),
    );
  const noteRefs = (kind: Memo['target']['kind'], id?: string) =>
    memosOf(kind, id).map((m) => el('NoteRef', [['targetGUID', g('memo', m.id)]]));

  // Users: the coders who made something the file carries (a coding or a note). A project member who has
  // coded nothing — e.g. the researcher who imported the project into their own study — is not a User of the
  // data, so export → import → export adds no one (issue 10, defect 8).
  const authors = new Set([
    ...project.segments.map((s) => s.coderId),
    ...project.memos.map((m) => m.authorId),
  ]);
  const coderGuid = new Map(project.coders.map((c) => [c.id, g('coder', c.id)]));
  const users = project.coders
    .filter((c) => authors.has(c.id))
    .map((c) =>
      el('User', [
        ['guid', coderGuid.get(c.id)],
        ['name', c.name],
      ]),
    );

  // Codes (and the codes merged into them in the consensus codebook, as non-codable sub-codes).
  const codeGuid = new Map(project.codes.map((c) => [c.id, g('code', c.id)]));
  const merged = mergedChildren(project.codes, options.mergedCodes ?? [], warn);
  const mergedEl = (c: Code, target: Code): XmlOut => {
    const desc = [
      codeDescription(c),
      `${CONSENSUS_CODEBOOK_HEADING}:\n• merged into: ${codeGuid.get(target.id)} (${target.name.replace(/\s+/g, ' ')})`,
    ]
      .filter((d) => d !== undefined)
      .join('\n\n');
    checkText(`code "${c.name}"`, desc);
    return el(
      'Code',
      [
        ['guid', g('code', c.id)],
        ['name', c.name],
        ['isCodable', 'false'],
        ['color', c.color],
      ],
      [el('Description', [], [desc])],
    );
  };
  const codeEl = (n: CodeNode): XmlOut => {
    const desc = codeDescription(n.code);
    checkText(`code "${n.code.name}"`, desc);
    if (n.code.examples.some((e) => /[\r\n]/.test(e)))
      warn(
        `codes.${n.code.id}`,
        'example_newline',
        `Code "${n.code.name}": line breaks inside examples were written as spaces.`,
      );
    return el(
      'Code',
      [
        ['guid', codeGuid.get(n.code.id)],
        ['name', n.code.name],
        ['isCodable', n.code.codable ? 'true' : 'false'],
        ['color', n.code.color],
      ],
      [
        desc !== undefined && el('Description', [], [desc]),
        ...noteRefs('code', n.code.id),
        ...n.children.map(codeEl),
        ...(merged.get(n.code.id) ?? []).map((c) => mergedEl(c, n.code)),
      ],
    );
  };

  // Variables.
  const vars: VarDef[] = [];
  const varByName = new Map<string, VarDef>();
  const addVar = (name: string, type: VarType) => {
    if (varByName.has(name)) return;
    const v = { name, type, guid: project.refiGuids[`variable:${name}`] ?? g('variable', name) };
    vars.push(v);
    varByName.set(name, v);
  };
  const attrKeys: string[] = [];
  for (const p of project.participants)
    for (const k of Object.keys(p.attributes)) if (!attrKeys.includes(k)) attrKeys.push(k);
  for (const k of attrKeys) {
    if (RESERVED.has(k) || k.startsWith(SCREENING_PREFIX)) {
      warn(
        `attributes.${k}`,
        'reserved_name',
        `Participant attribute "${k}" uses a name nabz reserves in REFI-QDA files; it was left out.`,
      );
      continue;
    }
    const values = project.participants
      .map((p) => p.attributes[k])
      .filter((v): v is string | number | boolean => v !== undefined && v !== null);
    addVar(k, varType(values));
  }
  const scoreKeys: string[] = [];
  for (const p of project.participants)
    for (const k of Object.keys(p.screening?.scores ?? {})) if (!scoreKeys.includes(k)) scoreKeys.push(k);
  for (const k of scoreKeys) {
    const values = project.participants
      .map((p) => p.screening?.scores[k])
      .filter((v): v is number => v !== undefined);
    addVar(SCREENING_PREFIX + k, varType(values));
  }
  if (project.participants.some((p) => p.screening)) addVar(ELIGIBLE_VARIABLE, 'Boolean');
  if (project.sources.length) addVar(SOURCE_LANGUAGE_VARIABLE, 'Text');
  if (project.memos.some((m) => m.phase !== undefined)) addVar(PHASE_VARIABLE, 'Integer');
  const vv = (name: string, v: string | number | boolean) => {
    const d = mapAt(varByName, name);
    return el('VariableValue', [], [el('VariableRef', [['targetGUID', d.guid]]), valueEl(d.type, v)]);
  };

  // Sources, segments, turns.
  const caseTurns = options.caseTurns ?? true;
  const turnRefs = new Map<string, string[]>(); // participant id -> selection guids
  const files: { path: string; text: string | Uint8Array }[] = [];
  const sources = project.sources.map((src) => {
    const sg = g('source', src.id);
    const idx = new OffsetIndex(src.text);
    const pos = (cp: number) => String(unit === 'utf16' ? idx.toUtf16(cp) : cp);
    const path = `sources/${sg}.txt`;
    files.push({ path, text: src.text });
    const leaks = findNames(src.text, project.participants);
    if (leaks.length) {
      const who = [
        ...new Set(
          leaks.map((l) => project.participants.find((p) => p.id === l.participantId)?.pseudonym ?? ''),
        ),
      ];
      warn(
        `sources.${src.id}`,
        'name_in_transcript',
        `Source "${src.name}" still contains ${leaks.length} occurrence(s) of the name of ${who.join(', ')}; pseudonymise the transcript before sharing this file.`,
      );
    }
    const selections: XmlOut[] = [];
    for (const seg of project.segments.filter((s) => s.sourceId === src.id)) {
      const selGuid = g('segment', seg.id);
      const user = coderGuid.get(seg.coderId);
      const at = xsdDateTime(seg.createdAt);
      checkText(`segment ${seg.id}`, seg.memo);
      selections.push(
        el(
          'PlainTextSelection',
          [
            ['guid', selGuid],
            ['startPosition', pos(seg.start)],
            ['endPosition', pos(seg.end)],
            ['creatingUser', user],
            ['creationDateTime', at],
          ],
          [
            seg.memo !== undefined && el('Description', [], [seg.memo]),
            ...seg.codeIds.map((c) => {
              const code = mapAt(codeGuid, c);
              return el(
                'Coding',
                [
                  ['guid', hashGuid('coding', selGuid, code)],
                  ['creatingUser', user],
                  ['creationDateTime', at],
                ],
                [el('CodeRef', [['targetGUID', code]])],
              );
            }),
            ...noteRefs('segment', seg.id),
          ],
        ),
      );
    }
    if (caseTurns) {
      const pseud = new Map(project.participants.map((p) => [p.id, p.pseudonym]));
      for (const t of project.turns[src.id] ?? []) {
        if (t.participantId === null || !pseud.has(t.participantId) || t.end <= t.start) continue;
        const tg = hashGuid('turn', sg, String(t.start), String(t.end));
        selections.push(
          el('PlainTextSelection', [
            ['guid', tg],
            ['name', `${pseud.get(t.participantId)}, turn ${t.index + 1}`],
            ['startPosition', pos(t.start)],
            ['endPosition', pos(t.end)],
          ]),
        );
        const list = turnRefs.get(t.participantId) ?? [];
        list.push(tg);
        turnRefs.set(t.participantId, list);
      }
    }
    return el(
      'TextSource',
      [
        ['guid', sg],
        ['name', src.name],
        ['plainTextPath', `internal://${sg}.txt`],
        ['creationDateTime', xsdDateTime(src.createdAt)],
      ],
      [...selections, ...noteRefs('source', src.id), vv(SOURCE_LANGUAGE_VARIABLE, src.language)],
    );
  });

  const recordings = mediaSources(project, options, unit, files, warn);

  // Cases.
  const cases = project.participants.map((p) => {
    const values: XmlOut[] = [];
    for (const k of attrKeys) {
      const v = p.attributes[k];
      if (v === undefined || v === null || !varByName.has(k)) continue;
      values.push(vv(k, v));
    }
    for (const k of scoreKeys) {
      const v = p.screening?.scores[k];
      if (v !== undefined) values.push(vv(SCREENING_PREFIX + k, v));
    }
    if (p.screening) values.push(vv(ELIGIBLE_VARIABLE, p.screening.eligible));
    return el(
      'Case',
      [
        ['guid', g('participant', p.id)],
        ['name', p.pseudonym],
      ],
      [...values, ...(turnRefs.get(p.id) ?? []).map((t) => el('SelectionRef', [['targetGUID', t]]))],
    );
  });

  // Notes.
  const notes = project.memos.map((m) => {
    checkText(`memo ${m.id}`, m.text);
    return el(
      'Note',
      [
        ['guid', g('memo', m.id)],
        ['name', m.title ?? 'Memo'],
        ['creatingUser', coderGuid.get(m.authorId)],
        ['creationDateTime', xsdDateTime(m.at)],
      ],
      [el('PlainTextContent', [], [m.text]), m.phase !== undefined && vv(PHASE_VARIABLE, m.phase)],
    );
  });

  // Sets (themes).
  const sets = project.themes.map((t) => {
    const desc = themeDescription(t, t.parentId ? g('theme', t.parentId) : undefined);
    checkText(`theme "${t.name}"`, desc);
    return el(
      'Set',
      [
        ['guid', g('theme', t.id)],
        ['name', t.name],
      ],
      [
        desc !== undefined && el('Description', [], [desc]),
        ...t.codeIds
          .filter((c) => codeGuid.has(c))
          .map((c) => el('MemberCode', [['targetGUID', codeGuid.get(c)]])),
        ...memosOf('theme', t.id).map((m) => el('MemberNote', [['targetGUID', g('memo', m.id)]])),
      ],
    );
  });
  if (project.themes.length)
    warn(
      'themes',
      'theme_workflow',
      'Themes are exported as sets of codes, with their status and sub-theme nesting in the set description; their sign-offs, disagreements and chosen quotes have no REFI-QDA form.',
    );

  checkText('project description', project.description);
  const tree = codeTree(project.codes);
  const root = el(
    'Project',
    [
      ['xmlns', PROJECT_NS],
      ['name', project.name],
      ['origin', options.origin ?? 'nabz'],
      ['creationDateTime', xsdDateTime(project.createdAt)],
    ],
    [
      users.length > 0 && el('Users', [], users),
      tree.length > 0 && el('CodeBook', [], [el('Codes', [], tree.map(codeEl))]),
      vars.length > 0 &&
        el(
          'Variables',
          [],
          vars.map((v) =>
            el('Variable', [
              ['guid', v.guid],
              ['name', v.name],
              ['typeOfVariable', v.type],
            ]),
          ),
        ),
      cases.length > 0 && el('Cases', [], cases),
      sources.length + recordings.length > 0 && el('Sources', [], [...sources, ...recordings]),
      notes.length > 0 && el('Notes', [], notes),
      sets.length > 0 && el('Sets', [], sets),
      project.description !== undefined && el('Description', [], [project.description]),
      ...noteRefs('project'),
    ],
  );
  return { xml: writeXml(root), files, warnings };
}

/**
 * Export a QDPX archive: `project.qde` plus `sources/<guid>.txt` (UTF-8). `modified` sets the ZIP timestamps
 * (default 1980-01-01, so equal projects give equal bytes).
 */
export function exportQdpx(
  project: QualProject,
  options: RefiExportOptions & { modified?: Date } = {},
): { bytes: Uint8Array; xml: string; warnings: readonly Issue[] } {
  const qde = projectToQde(project, options);
  const bytes = writeZip(
    [
      { name: 'project.qde', data: qde.xml },
      // Recordings are compressed already: stored as they are.
      ...qde.files.map((f) => ({
        name: f.path,
        data: f.text,
        ...(typeof f.text === 'string' ? {} : { method: 'store' as const }),
      })),
    ],
    options.modified ? { modified: options.modified } : {},
  );
  return { bytes, xml: qde.xml, warnings: qde.warnings };
}

/**
 * Export a codebook as a REFI-QDA QDC document (Codebook.xsd): nested codes with colour and description;
 * themes, if given, as `Sets` of member codes.
 */
export function codebookToQdc(
  codes: readonly Code[],
  options: { namespace: string; origin?: string; themes?: readonly Theme[] },
): { xml: string; warnings: readonly Issue[] } {
  const warnings: Issue[] = [];
  const g = (kind: string, id: string) => guidFor(options.namespace, kind, id);
  const codeEl = (n: CodeNode): XmlOut => {
    const desc = codeDescription(n.code);
    const bad = desc ? countInvalidXmlChars(desc) : 0;
    if (bad)
      warnings.push({
        path: `codes.${n.code.id}`,
        code: 'invalid_xml_char',
        message: `Code "${n.code.name}": ${bad} character(s) XML cannot carry were replaced.`,
      });
    return el(
      'Code',
      [
        ['guid', g('code', n.code.id)],
        ['name', n.code.name],
        ['isCodable', n.code.codable ? 'true' : 'false'],
        ['color', n.code.color],
      ],
      [desc !== undefined && el('Description', [], [desc]), ...n.children.map(codeEl)],
    );
  };
  const tree = codeTree(codes);
  if (!tree.length) throw new RangeError('A REFI-QDA codebook needs at least one code.');
  const ids = new Set(codes.map((c) => c.id));
  const themes = options.themes ?? [];
  const root = el(
    'CodeBook',
    [
      ['xmlns', CODEBOOK_NS],
      ['origin', options.origin ?? 'nabz'],
    ],
    [
      el('Codes', [], tree.map(codeEl)),
      themes.length > 0 &&
        el(
          'Sets',
          [],
          themes.map((t) => {
            const desc = themeDescription(t, t.parentId ? g('theme', t.parentId) : undefined);
            return el(
              'Set',
              [
                ['guid', g('theme', t.id)],
                ['name', t.name],
              ],
              [
                desc !== undefined && el('Description', [], [desc]),
                ...t.codeIds.filter((c) => ids.has(c)).map((c) => el('MemberCode', [['guid', g('code', c)]])),
              ],
            );
          }),
        ),
    ],
  );
  return { xml: writeXml(root), warnings };
}
