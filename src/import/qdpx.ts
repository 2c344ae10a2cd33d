/**
 * Import REFI-QDA projects (QDPX, or a project.qde with its source files) and codebooks (QDC) into nabz.
 *
 * The inverse of export.ts: Users → coders, Codes → codes (hierarchy, colour, definition and examples),
 * TextSources → sources (plain text from `internal://` files or `PlainTextContent`), PlainTextSelections with
 * Codings → segments (one per coder), Notes → memos (about the project, a code, a source, a selection or a
 * theme set), Cases → participants (the case name becomes the pseudonym), Variables → participant attributes
 * and screening results, Sets of codes → themes (status and nesting from the "Theme:" list nabz writes), the
 * consensus codebook's merges (from the "Consensus codebook:" list under a merged code). Entity ids become the file's GUIDs (lower case), so a
 * re-export writes the same GUIDs.
 *
 * AudioSources/VideoSources → recordings (`media`, checked by their bytes) linked to each `Transcript` they
 * hold — the TextSource with the same text file, or a new source from the transcript's text — whose
 * SyncPoints at turn starts and ends give the turns' times.
 *
 * What nabz cannot take is listed in the report, never silently dropped: picture and PDF sources; recordings
 * outside the archive or not audio/video by their bytes; selections and codings of time spans; rich-text-only
 * sources; selections outside the text; codings of a whole source; links and graphs; sets of sources; case
 * codes; variables on sources other than the language.
 */
import type { Issue } from '../core/instrument/schema.js';
import { checkMedia } from '../core/qual/media.js';
import type {
  Code,
  Coder,
  Memo,
  Participant,
  QualProject,
  Segment,
  Source,
  Theme,
  Turn,
} from '../core/qual/model.js';
import { IsoDateTimeSchema, parseQualProject } from '../core/qual/model.js';
import { type Bias, OffsetIndex } from '../core/qual/offsets.js';
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
} from '../core/qual/refi.js';
import { recognizeTurns } from '../core/qual/transcript.js';
import { at } from '../core/stats/at.js';
import { hashGuid, isGuid, normalizeGuid } from '../lib/guid.js';
import {
  childElements,
  firstChild,
  parseXml,
  textContent,
  type XmlElement,
  XmlParseError,
} from '../lib/xml.js';
import { type ReadZipOptions, readZip, type ZipEntry, type ZipProblem } from '../lib/zip.js';

/** One thing the import could not take. */
export interface Skipped {
  /** Element kind, e.g. "PictureSource", "Link", "PlainTextSelection". */
  readonly element: string;
  /** Its name or GUID, when it has one. */
  readonly name?: string;
  readonly reason: string;
}

export interface ImportReport {
  readonly skipped: readonly Skipped[];
  readonly warnings: readonly Issue[];
  readonly counts: {
    readonly sources: number;
    readonly codes: number;
    readonly segments: number;
    readonly coders: number;
    readonly memos: number;
    readonly participants: number;
    readonly variables: number;
    readonly themes: number;
  };
}

export type ImportResult =
  | {
      readonly ok: true;
      readonly project: QualProject;
      readonly report: ImportReport;
      /** Recordings of transcripts (from `AudioSource`/`VideoSource`), checked by their bytes. */
      readonly media: readonly QdpxMedia[];
    }
  | { readonly ok: false; readonly issues: readonly Issue[]; readonly report: ImportReport };

interface RefiImportOptions {
  /** Id of the new project (default: a GUID from the project name). */
  readonly projectId?: string;
  /** How the file counts positions (default 'codepoint'; see export.ts). */
  readonly positionUnit?: PositionUnit;
  /** Language of sources without a "Source language" variable (default "und", undetermined). */
  readonly defaultLanguage?: string;
}

const LANG_RE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

function emptyCounts(): ImportReport['counts'] {
  return { sources: 0, codes: 0, segments: 0, coders: 0, memos: 0, participants: 0, variables: 0, themes: 0 };
}

/** Split a description into the text before a trailing "<heading>:\n• …" list and the list items. */
export function splitListBlock(desc: string, heading: string): { text: string; items: string[] } {
  const re = new RegExp(`(?:^|\\n\\n)${heading}:\\n((?:• [^\\n]*(?:\\n|$))+)$`);
  const m = re.exec(desc);
  const block = m?.[1];
  if (!m || block === undefined) return { text: desc, items: [] };
  const items = block
    .split('\n')
    .filter((l) => l.startsWith('• '))
    .map((l) => l.slice(2));
  return { text: desc.slice(0, m.index), items };
}

function guidAttr(e: XmlElement, name: string): string | undefined {
  const v = e.attributes[name];
  return v !== undefined && isGuid(v.trim()) ? normalizeGuid(v.trim()) : undefined;
}

function dateAttr(e: XmlElement, name: string): string | undefined {
  const v = e.attributes[name];
  return v !== undefined && IsoDateTimeSchema.safeParse(v).success ? v : undefined;
}

function descOf(e: XmlElement): string | undefined {
  const d = firstChild(e, 'Description');
  return d ? textContent(d) : undefined;
}

/**
 * The codes under a `<Codes>` element, depth first (a project's codebook and a QDC read them alike). A code
 * without a valid GUID or name is reported through `skip` and left out with its sub-codes; `visit` sees each
 * code taken with its element. A 3-digit colour (#abc) is read as #aabbcc; any other non-#rrggbb colour is
 * dropped.
 */
function readCodes(
  codesEl: XmlElement,
  skip: (element: string, reason: string, name?: string) => void,
  visit?: (e: XmlElement, code: Code) => void,
): Code[] {
  const codes: Code[] = [];
  const walk = (c: XmlElement, parentId: string | null) => {
    const id = guidAttr(c, 'guid');
    const name = c.attributes.name;
    if (!id || !name) {
      skip('Code', 'no valid GUID or name (its sub-codes were skipped too)', name);
      return;
    }
    const consensus = splitListBlock(descOf(c) ?? '', CONSENSUS_CODEBOOK_HEADING);
    const { text, items } = splitListBlock(consensus.text, 'Examples');
    const into = consensus.items
      .map((l) => /^merged into: (\S+)/.exec(l)?.[1])
      .find((x) => x !== undefined && isGuid(x));
    let color = c.attributes.color?.trim();
    if (color && /^#[0-9A-Fa-f]{3}$/.test(color))
      color = `#${[...color.slice(1)].map((x) => x + x).join('')}`;
    const code: Code = {
      id,
      name,
      parentId,
      definition: text,
      examples: items,
      codable: c.attributes.isCodable !== 'false' && c.attributes.isCodable !== '0',
      ...(color && /^#[0-9A-Fa-f]{6}$/.test(color) ? { color } : {}),
    };
    codes.push(code);
    if (into) mergedInto.set(id, normalizeGuid(into));
    visit?.(c, code);
    for (const k of childElements(c, 'Code')) walk(k, id);
  };
  const mergedInto = new Map<string, string>();
  for (const c of childElements(codesEl, 'Code')) walk(c, null);
  return withMerges(codes, mergedInto);
}

/**
 * The consensus codebook's merges read back (the "Consensus codebook:" list nabz writes under a merged code):
 * a merged code is codable again, as it was when merged (the file marks it non-codable so other tools do not
 * code with it), and maps to its target. A target that is missing, is the code itself, is merged in turn or is
 * a grouping node leaves the code as the file has it, unmerged.
 */
function withMerges(codes: Code[], mergedInto: ReadonlyMap<string, string>): Code[] {
  if (!mergedInto.size) return codes;
  const byId = new Map(codes.map((c) => [c.id, c]));
  return codes.map((c) => {
    const to = mergedInto.get(c.id);
    const target = to === undefined ? undefined : byId.get(to);
    if (!target || target.id === c.id || mergedInto.has(target.id) || !target.codable) return c;
    return { ...c, codable: true, mergedInto: target.id };
  });
}

/**
 * The sets of codes under a `<Sets>` element, as themes: candidates unless the description's "Theme:" list
 * (written by nabz) gives a status and a parent set. `member` names the attribute of a
 * `<MemberCode>` that holds the code's GUID (`targetGUID` in a project, `guid` in a QDC); members that are not
 * among `codeIds` are left out. A set without a valid GUID or name is reported through `skip`.
 */
function readThemes(
  setsEl: XmlElement,
  member: 'targetGUID' | 'guid',
  codeIds: ReadonlySet<string>,
  skip: (element: string, reason: string, name?: string) => void,
  visit?: (e: XmlElement, theme: Theme) => void,
): Theme[] {
  const themes: Theme[] = [];
  for (const set of childElements(setsEl, 'Set')) {
    const id = guidAttr(set, 'guid');
    const name = set.attributes.name;
    if (!id || !name) {
      skip('Set', 'no valid GUID or name', name);
      continue;
    }
    const meta = splitListBlock(descOf(set) ?? '', 'Theme');
    const { text, items } = splitListBlock(meta.text, 'Support needs');
    const status = meta.items.map((l) => /^status: (candidate|reviewed|final)$/.exec(l)?.[1]).find((x) => x);
    const parent = meta.items
      .map((l) => /^sub-theme of: (\S+)$/.exec(l)?.[1])
      .find((x) => x !== undefined && isGuid(x));
    const theme: Theme = {
      id,
      name,
      definition: text,
      parentId: parent ? normalizeGuid(parent) : null,
      codeIds: childElements(set, 'MemberCode')
        .map((m) => guidAttr(m, member))
        .filter((x): x is string => !!x && codeIds.has(x)),
      supportNeeds: items,
      quoteSegmentIds: [],
      status: (status as Theme['status'] | undefined) ?? 'candidate',
      version: 1,
      signOffs: [],
      disagreements: [],
    };
    themes.push(theme);
    visit?.(set, theme);
  }
  // A parent that is not among the sets read (or is itself) leaves the theme at the top level.
  const ids = new Set(themes.map((t) => t.id));
  return themes.map((t) =>
    t.parentId !== null && (!ids.has(t.parentId) || t.parentId === t.id) ? { ...t, parentId: null } : t,
  );
}

function parseValue(vv: XmlElement): string | number | boolean | null {
  for (const c of childElements(vv)) {
    const t = textContent(c).trim();
    switch (c.local) {
      case 'TextValue':
        return textContent(c);
      case 'BooleanValue':
        return t === 'true' || t === '1';
      case 'IntegerValue':
      case 'FloatValue': {
        const n = Number(t);
        return Number.isFinite(n) ? n : t;
      }
      case 'DateValue':
      case 'DateTimeValue':
        return t;
    }
  }
  return null;
}

/**
 * Import a project document (project.qde) with its files (path inside the QDPX → text). Never throws on a bad
 * file: returns `ok: false` with issues, and always the report.
 */
export function importProjectXml(
  xml: string,
  files: ReadonlyMap<string, string>,
  options: RefiImportOptions = {},
  mediaFiles: ReadonlyMap<string, Uint8Array> = new Map(),
): ImportResult {
  const skipped: Skipped[] = [];
  const warnings: Issue[] = [];
  const skip = (element: string, reason: string, name?: string) =>
    skipped.push({ element, reason, ...(name !== undefined ? { name } : {}) });
  const warn = (path: string, code: string, message: string) => warnings.push({ path, code, message });
  const report = (counts = emptyCounts()): ImportReport => ({ skipped, warnings, counts });
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (e) {
    const msg = e instanceof XmlParseError ? e.message : String(e);
    return {
      ok: false,
      issues: [{ path: 'project.qde', code: 'xml', message: `project.qde is not well-formed XML: ${msg}` }],
      report: report(),
    };
  }
  if (root.local !== 'Project')
    return {
      ok: false,
      issues: [
        {
          path: 'project.qde',
          code: 'not_project',
          message: `The root element is <${root.name}>, not a REFI-QDA <Project>.`,
        },
      ],
      report: report(),
    };
  if (root.ns !== PROJECT_NS)
    warn(
      'Project',
      'namespace',
      `The project namespace is "${root.ns ?? '(none)'}", not ${PROJECT_NS}; read it anyway.`,
    );
  const unit = options.positionUnit ?? 'codepoint';
  const projectName = root.attributes.name ?? 'Imported project';
  const projectCreated = dateAttr(root, 'creationDateTime');
  const projectUser = guidAttr(root, 'creatingUserGUID');

  // Users.
  const coders: Coder[] = [];
  const coderIds = new Set<string>();
  for (const u of childElements(firstChild(root, 'Users') ?? root, 'User')) {
    const id = guidAttr(u, 'guid');
    if (!id) {
      skip('User', 'no valid GUID', u.attributes.name);
      continue;
    }
    coders.push({ id, name: u.attributes.name || u.attributes.id || `User ${coders.length + 1}` });
    coderIds.add(id);
  }
  const coderFor = (guid: string | undefined, what: string): string => {
    const id = guid ?? projectUser;
    if (id && coderIds.has(id)) return id;
    if (id) {
      const added = `User ${coders.length + 1}`;
      coders.push({ id, name: added });
      coderIds.add(id);
      warn(what, 'unknown_user', `${what} names user ${id}, who is not in <Users>; added as "${added}".`);
      return id;
    }
    const unknown = hashGuid('unknown-user', projectName);
    if (!coderIds.has(unknown)) {
      coders.push({ id: unknown, name: 'Unknown coder' });
      coderIds.add(unknown);
      warn(what, 'no_user', 'Some codings and notes name no user; they are attributed to "Unknown coder".');
    }
    return unknown;
  };

  // Note references collected while walking; resolved into memo targets afterwards.
  const noteTargets = new Map<string, Memo['target']>();
  const refNotes = (e: XmlElement, target: Memo['target'], local = 'NoteRef') => {
    for (const r of childElements(e, local)) {
      const id = guidAttr(r, 'targetGUID');
      if (!id) continue;
      if (noteTargets.has(id))
        warn(
          `Note ${id}`,
          'many_targets',
          `Note ${id} is referenced from several places; nabz keeps the first.`,
        );
      else noteTargets.set(id, target);
    }
  };

  // Codes.
  const codebook = firstChild(root, 'CodeBook');
  const codes = readCodes(firstChild(codebook ?? root, 'Codes') ?? root, skip, (c, code) =>
    refNotes(c, { kind: 'code', id: code.id }),
  );
  const codeIds = new Set(codes.map((c) => c.id));

  // Variables.
  const variables = new Map<string, { name: string; type: string }>();
  const refiGuids: Record<string, string> = {};
  for (const v of childElements(firstChild(root, 'Variables') ?? root, 'Variable')) {
    const id = guidAttr(v, 'guid');
    if (!id || !v.attributes.name) {
      skip('Variable', 'no valid GUID or name', v.attributes.name);
      continue;
    }
    variables.set(id, { name: v.attributes.name, type: v.attributes.typeOfVariable ?? 'Text' });
    refiGuids[`variable:${v.attributes.name}`] = id;
  }
  const valuesOf = (e: XmlElement): { name: string; value: string | number | boolean | null }[] =>
    childElements(e, 'VariableValue').flatMap((vv) => {
      const ref = firstChild(vv, 'VariableRef');
      const id = ref ? guidAttr(ref, 'targetGUID') : undefined;
      const v = id ? variables.get(id) : undefined;
      if (!v) {
        skip('VariableValue', 'refers to no known variable');
        return [];
      }
      return [{ name: v.name, value: parseValue(vv) }];
    });

  // Notes.
  const noteEls = childElements(firstChild(root, 'Notes') ?? root, 'Note');

  // Sources.
  const archived = <T>(
    from: ReadonlyMap<string, T>,
    path: string | undefined,
    what: string,
    name?: string,
  ): T | undefined => {
    if (!path) return undefined;
    const want = /^internal:\/\/(.+)$/.exec(path)?.[1];
    if (want === undefined) {
      skip(
        what,
        `its ${what.endsWith('Source') && what !== 'TextSource' ? 'recording' : 'text'} is an external file (${path}); only files inside the QDPX (internal://) can be read`,
        name,
      );
      return undefined;
    }
    for (const [k, v] of from) {
      const base = k.replace(/^[Ss]ources\//, '');
      if (base === want || k === want) return v;
    }
    skip(what, `its file ${want} is not in the archive`, name);
    return undefined;
  };
  const fileText = (path: string | undefined, what: string) => archived(files, path, what);
  const sources: Source[] = [];
  const segments: Segment[] = [];
  const caseSelections = new Map<string, { sourceId: string; start: number; end: number }>();
  const sourcesEl = firstChild(root, 'Sources');
  const textPaths = new Map<string, string>(); // plainTextPath → source id
  const recordings: XmlElement[] = [];
  for (const s of sourcesEl ? childElements(sourcesEl) : []) {
    const name = s.attributes.name ?? s.attributes.guid;
    if (s.local === 'AudioSource' || s.local === 'VideoSource') {
      recordings.push(s);
      continue;
    }
    if (s.local !== 'TextSource') {
      skip(
        s.local,
        `${s.local.replace('Source', '').toLowerCase()} sources are not supported; nabz analyses text transcripts`,
        name,
      );
      continue;
    }
    const id = guidAttr(s, 'guid');
    if (!id) {
      skip('TextSource', 'no valid GUID', name);
      continue;
    }
    const inline = firstChild(s, 'PlainTextContent');
    let text = inline ? textContent(inline) : fileText(s.attributes.plainTextPath, 'TextSource');
    if (text === undefined) {
      if (!inline && !s.attributes.plainTextPath)
        skip('TextSource', 'it has no plain-text representation (rich text only)', name);
      continue;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let language = options.defaultLanguage ?? 'und';
    for (const { name: vn, value } of valuesOf(s)) {
      if (vn === SOURCE_LANGUAGE_VARIABLE && typeof value === 'string' && LANG_RE.test(value))
        language = value;
      else
        skip(
          'VariableValue',
          `source variable "${vn}" is not imported (only "${SOURCE_LANGUAGE_VARIABLE}")`,
          name,
        );
    }
    const created = dateAttr(s, 'creationDateTime');
    sources.push({ id, name: name ?? id, text, language, ...(created ? { createdAt: created } : {}) });
    if (s.attributes.plainTextPath) textPaths.set(s.attributes.plainTextPath, id);
    const idx = new OffsetIndex(text);
    const toCp = (raw: string | undefined, bias: Bias): number | null => {
      if (raw === undefined || !/^-?\d+$/.test(raw.trim())) return null;
      const n = Number(raw);
      if (unit === 'codepoint') return n >= 0 && n <= idx.length ? n : null;
      if (n < 0 || n > idx.utf16Length) return null;
      return idx.fromUtf16(n, bias);
    };
    refNotes(s, { kind: 'source', id });
    if (childElements(s, 'Coding').length)
      skip('Coding', 'codings of a whole source are not imported; code a selection instead', name);
    for (const sel of childElements(s, 'PlainTextSelection')) {
      const sid = guidAttr(sel, 'guid');
      const start = toCp(sel.attributes.startPosition, 'floor');
      const end = toCp(sel.attributes.endPosition, 'ceil');
      if (!sid || start === null || end === null || end <= start) {
        skip(
          'PlainTextSelection',
          `positions ${sel.attributes.startPosition}–${sel.attributes.endPosition} are not a range inside "${name}" (${unit === 'codepoint' ? idx.length : idx.utf16Length} characters)`,
          sel.attributes.name ?? sid,
        );
        continue;
      }
      const codings = childElements(sel, 'Coding');
      if (!codings.length) {
        caseSelections.set(sid, { sourceId: id, start, end });
        if (childElements(sel, 'NoteRef').length)
          skip(
            'NoteRef',
            'a note on a selection without codes has no nabz segment to attach to',
            sel.attributes.name ?? sid,
          );
        continue;
      }
      const byUser = new Map<string, string[]>();
      for (const c of codings) {
        const ref = firstChild(c, 'CodeRef');
        const code = ref ? guidAttr(ref, 'targetGUID') : undefined;
        if (!code || !codeIds.has(code)) {
          skip('Coding', 'refers to no known code', sid);
          continue;
        }
        const user = coderFor(
          guidAttr(c, 'creatingUser') ?? guidAttr(sel, 'creatingUser') ?? guidAttr(s, 'creatingUser'),
          `Selection ${sid}`,
        );
        const list = byUser.get(user) ?? [];
        if (!list.includes(code)) list.push(code);
        byUser.set(user, list);
      }
      let first = true;
      const memo = descOf(sel);
      const created = dateAttr(sel, 'creationDateTime');
      for (const [user, codeList] of byUser) {
        const segId = first ? sid : hashGuid('segment-split', sid, user);
        segments.push({
          id: segId,
          sourceId: id,
          start,
          end,
          codeIds: codeList,
          coderId: user,
          ...(memo !== undefined ? { memo } : {}),
          ...(created ? { createdAt: created } : {}),
        });
        if (first) refNotes(sel, { kind: 'segment', id: segId });
        first = false;
      }
    }
  }

  // Cases. Every case gets every case variable, null where it has no value (a missing value in nabz).
  const participants: Participant[] = [];
  const caseTurnRefs = new Map<string, string[]>();
  const caseEls = childElements(firstChild(root, 'Cases') ?? root, 'Case');
  const caseVarNames = new Set<string>();
  for (const c of caseEls)
    for (const vv of childElements(c, 'VariableValue')) {
      const ref = firstChild(vv, 'VariableRef');
      const v = ref ? variables.get(guidAttr(ref, 'targetGUID') ?? '') : undefined;
      if (v && !v.name.startsWith(SCREENING_PREFIX) && v.name !== ELIGIBLE_VARIABLE) caseVarNames.add(v.name);
    }
  const caseVars = [...variables.values()].map((v) => v.name).filter((n) => caseVarNames.has(n));
  for (const c of caseEls) {
    const id = guidAttr(c, 'guid');
    if (!id) {
      skip('Case', 'no valid GUID', c.attributes.name);
      continue;
    }
    const pseudonym = c.attributes.name?.trim() || `P${participants.length + 1}`;
    if (!/^(P\d+|Participant \d+)$/.test(pseudonym))
      warn(
        `Case ${pseudonym}`,
        'case_name',
        `Case "${pseudonym}" becomes the pseudonym printed with quotes; rename it if it identifies the person.`,
      );
    const attributes: Record<string, string | number | boolean | null> = Object.fromEntries(
      caseVars.map((n) => [n, null]),
    );
    const scores: Record<string, number> = {};
    let eligible: boolean | undefined;
    for (const { name, value } of valuesOf(c)) {
      if (name.startsWith(SCREENING_PREFIX) && typeof value === 'number')
        scores[name.slice(SCREENING_PREFIX.length)] = value;
      else if (name === ELIGIBLE_VARIABLE && typeof value === 'boolean') eligible = value;
      else attributes[name] = value;
    }
    const screening =
      eligible !== undefined || Object.keys(scores).length
        ? { scores, eligible: eligible ?? false }
        : undefined;
    participants.push({ id, pseudonym, aliases: [], attributes, ...(screening ? { screening } : {}) });
    if (childElements(c, 'CodeRef').length)
      skip('CodeRef', 'codes attached to a case are not imported', pseudonym);
    if (childElements(c, 'SourceRef').length)
      skip(
        'SourceRef',
        'whole sources attached to a case are not imported; nabz links cases to speaker turns',
        pseudonym,
      );
    caseTurnRefs.set(
      id,
      childElements(c, 'SelectionRef')
        .map((r) => guidAttr(r, 'targetGUID'))
        .filter((x): x is string => !!x),
    );
  }

  // Recordings: linked to the transcripts they hold; a transcript not also a TextSource becomes a source.
  const media: QdpxMedia[] = [];
  const syncPoints = new Map<string, XmlElement[]>();
  for (const r of recordings) {
    const linked = readRecording(r, {
      mediaFiles,
      textPaths,
      sources,
      language: options.defaultLanguage ?? 'und',
      fileText,
      archived,
      skip,
    });
    media.push(...linked.media);
    for (const [sid, points] of linked.syncPoints) syncPoints.set(sid, points);
    for (const [sid, guids] of linked.guids) {
      refiGuids[`media:${sid}`] = guids.media;
      refiGuids[`transcript:${sid}`] = guids.transcript;
    }
  }

  // Turns: recognised from the text, timed by the recordings' sync points, linked to cases by selections.
  const turns: Record<string, Turn[]> = {};
  for (const s of sources) {
    const found = recognizeTurns(s.text, { participants }).turns;
    const points = syncPoints.get(s.id);
    turns[s.id] = points ? timeTurns(found, points, s.text, unit) : found;
  }
  for (const [pid, refs] of caseTurnRefs) {
    for (const r of refs) {
      const sel = caseSelections.get(r);
      if (!sel) continue;
      const list = turns[sel.sourceId];
      if (!list) throw new Error(`internal: no turns for source ${sel.sourceId}; this is a bug in nabz.`);
      const k = list.findIndex((t) => t.start === sel.start && t.end === sel.end);
      if (k < 0) {
        skip(
          'SelectionRef',
          `a case selection (${sel.start}–${sel.end}) is not a speaker turn nabz recognises in the text`,
          r,
        );
        continue;
      }
      list[k] = { ...at(list, k), participantId: pid, role: 'participant' };
    }
  }
  const usedSelections = new Set([...caseTurnRefs.values()].flat());
  for (const [sid] of caseSelections)
    if (!usedSelections.has(sid))
      skip('PlainTextSelection', 'a selection without codes (nabz keeps coded selections only)', sid);

  // Sets → themes.
  const themes = readThemes(firstChild(root, 'Sets') ?? root, 'targetGUID', codeIds, skip, (set, theme) => {
    if (childElements(set, 'MemberSource').length)
      skip(
        'MemberSource',
        'sets of sources are not imported; the set is kept with its codes only',
        theme.name,
      );
    refNotes(set, { kind: 'theme', id: theme.id }, 'MemberNote');
  });
  refNotes(root, { kind: 'project' });
  for (const what of ['Links', 'Graphs'] as const) {
    const e = firstChild(root, what);
    if (e)
      skip(
        what.slice(0, -1),
        `${what.toLowerCase()} are not supported in nabz (${childElements(e).length} left out)`,
      );
  }

  // Memos.
  const memos: Memo[] = [];
  let undated = 0;
  for (const n of noteEls) {
    const id = guidAttr(n, 'guid');
    if (!id) {
      skip('Note', 'no valid GUID', n.attributes.name);
      continue;
    }
    const inline = firstChild(n, 'PlainTextContent');
    const text = inline ? textContent(inline) : fileText(n.attributes.plainTextPath, 'Note');
    if (text === undefined) {
      if (!inline && !n.attributes.plainTextPath) skip('Note', 'it has no plain text', n.attributes.name);
      continue;
    }
    let target = noteTargets.get(id);
    if (!target) {
      target = { kind: 'project' };
      warn(
        `Note ${id}`,
        'unattached_note',
        `Note "${n.attributes.name ?? id}" is not attached to anything; imported as a project memo.`,
      );
    }
    let phase: number | undefined;
    for (const { name, value } of valuesOf(n)) {
      if (
        name === PHASE_VARIABLE &&
        typeof value === 'number' &&
        Number.isInteger(value) &&
        value >= 1 &&
        value <= 6
      )
        phase = value;
      else skip('VariableValue', `note variable "${name}" is not imported`, n.attributes.name);
    }
    let at = dateAttr(n, 'creationDateTime');
    if (!at) {
      at = projectCreated ?? '1970-01-01T00:00:00Z';
      undated++;
    }
    memos.push({
      id,
      target,
      authorId: coderFor(guidAttr(n, 'creatingUser'), `Note ${id}`),
      at,
      text,
      ...(n.attributes.name ? { title: n.attributes.name } : {}),
      ...(phase !== undefined ? { phase } : {}),
    });
  }
  if (undated)
    warn(
      'Notes',
      'undated',
      `${undated} note(s) have no date; they are dated ${projectCreated ?? '1970-01-01'}.`,
    );

  const description = descOf(root);
  const project: QualProject = {
    id: options.projectId ?? hashGuid('project', projectName),
    name: projectName,
    ...(description !== undefined ? { description } : {}),
    ...(projectCreated ? { createdAt: projectCreated } : {}),
    sources,
    turns,
    participants,
    coders,
    codes,
    segments,
    memos,
    themes,
    themeReviewers: [],
    meta: {},
    refiGuids,
  };
  const counts = {
    sources: sources.length,
    codes: codes.length,
    segments: segments.length,
    coders: coders.length,
    memos: memos.length,
    participants: participants.length,
    variables: variables.size,
    themes: themes.length,
  };
  const checked = parseQualProject(project);
  if (!checked.ok) return { ok: false, issues: checked.issues, report: report(counts) };
  return { ok: true, project: checked.value, report: report(counts), media };
}

/**
 * An `AudioSource`/`VideoSource`: its recording (from the archive, checked by its bytes) linked to each of
 * its `Transcript`s — the `TextSource` with the same text file, or else a new source from the transcript's
 * own text — with the transcript's sync points. Selections and codings of time spans are reported, not taken.
 */
function readRecording(
  r: XmlElement,
  ctx: {
    mediaFiles: ReadonlyMap<string, Uint8Array>;
    textPaths: Map<string, string>;
    sources: Source[];
    language: string;
    fileText: (path: string | undefined, what: string) => string | undefined;
    archived: <T>(
      from: ReadonlyMap<string, T>,
      path: string | undefined,
      what: string,
      name?: string,
    ) => T | undefined;
    skip: (element: string, reason: string, name?: string) => void;
  },
): {
  media: QdpxMedia[];
  syncPoints: Map<string, XmlElement[]>;
  guids: Map<string, { media: string; transcript: string }>;
} {
  const out = { media: [] as QdpxMedia[], syncPoints: new Map<string, XmlElement[]>(), guids: new Map() };
  const name = r.attributes.name ?? r.attributes.guid ?? r.local;
  const guid = guidAttr(r, 'guid');
  for (const what of [`${r.local.replace('Source', '')}Selection`, 'Coding'])
    if (childElements(r, what).length)
      ctx.skip(what, 'codings of a recording’s time spans are not imported; nabz codes the transcript', name);
  const bytes = ctx.archived(ctx.mediaFiles, r.attributes.path, r.local, name);
  if (!bytes || !guid) {
    if (!r.attributes.path) ctx.skip(r.local, 'it has no recording inside the QDPX', name);
    else if (!guid) ctx.skip(r.local, 'no valid GUID', name);
    return out;
  }
  const checked = checkMedia(bytes, name);
  if (!checked.ok) {
    ctx.skip(r.local, checked.message, name);
    return out;
  }
  const transcripts = childElements(r, 'Transcript');
  if (!transcripts.length)
    ctx.skip(r.local, 'a recording without a transcript; nabz analyses transcripts', name);
  for (const t of transcripts) {
    const tguid = guidAttr(t, 'guid');
    const path = t.attributes.plainTextPath;
    let sid = path ? ctx.textPaths.get(path) : undefined;
    if (sid === undefined && tguid) {
      const inline = firstChild(t, 'PlainTextContent');
      const text = inline ? textContent(inline) : ctx.fileText(path, 'Transcript');
      if (text !== undefined) {
        sid = tguid;
        ctx.sources.push({ id: sid, name: t.attributes.name ?? name, text, language: ctx.language });
      }
    }
    if (sid === undefined || !tguid) {
      ctx.skip('Transcript', 'no valid GUID or no plain text', t.attributes.name ?? name);
      continue;
    }
    if (childElements(t, 'TranscriptSelection').length)
      ctx.skip(
        'TranscriptSelection',
        'selections between sync points are not imported; code the TextSource',
        name,
      );
    out.media.push({ sourceId: sid, name, bytes });
    out.syncPoints.set(sid, childElements(t, 'SyncPoint'));
    out.guids.set(sid, { media: guid, transcript: tguid });
  }
  return out;
}

/**
 * Turns timed by sync points: a point at a turn's start gives its time, one at its end its end time
 * (milliseconds in the file, seconds in nabz). Points elsewhere are ignored.
 */
function timeTurns(
  turns: readonly Turn[],
  points: readonly XmlElement[],
  text: string,
  unit: PositionUnit,
): Turn[] {
  const idx = new OffsetIndex(text);
  const at = new Map<number, number>();
  for (const p of points) {
    const pos = p.attributes.position?.trim();
    const ms = p.attributes.timeStamp?.trim();
    if (!pos || !ms || !/^\d+$/.test(pos) || !/^\d+$/.test(ms)) continue;
    const n = Number(pos);
    if (n > (unit === 'utf16' ? idx.utf16Length : idx.length)) continue;
    at.set(unit === 'utf16' ? idx.fromUtf16(n, 'floor') : n, Number(ms) / 1000);
  }
  return turns.map((t) => {
    const time = at.get(t.start);
    const endTime = at.get(t.end);
    return {
      ...t,
      ...(time !== undefined ? { time } : {}),
      ...(endTime !== undefined ? { endTime } : {}),
    };
  });
}

/**
 * What is read of a .qdpx: the project file, the plain-text sources and recordings (by extension; their type
 * is then checked by their bytes), each at most 64 MiB and 200 times its compressed size, 256 MiB in all
 * (other entries, e.g. pictures, are not inflated).
 */
export const QDPX_ZIP: ReadZipOptions = {
  only: (name) => /\.(qde|txt|mp3|m4a|wav|ogg|oga|ogv|opus|webm|mp4|m4v)$/i.test(name),
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxRatio: 200,
};

/** Import a QDPX archive (ZIP with project.qde and sources/), inflating on the calling thread. */
export function importQdpx(bytes: Uint8Array, options: RefiImportOptions = {}): ImportResult {
  return importQdpxEntries(readZip(bytes, QDPX_ZIP), options);
}

/** Import a QDPX archive already read (servers read it with `readZipAsync(bytes, QDPX_ZIP)`). */
export function importQdpxEntries(
  { entries, problems }: { entries: readonly ZipEntry[]; problems: readonly ZipProblem[] },
  options: RefiImportOptions = {},
): ImportResult {
  const warnings: Issue[] = problems.map((p) => ({
    path: p.path,
    code: p.code,
    message: `${p.path}: ${p.message}`,
  }));
  const qde = entries.find((e) => /(^|\/)[^/]*\.qde$/i.test(e.name));
  if (!qde) {
    return {
      ok: false,
      issues: [
        {
          path: '(archive)',
          code: 'no_qde',
          message: 'The archive has no project.qde; it is not a REFI-QDA project (.qdpx).',
        },
        ...warnings,
      ],
      report: { skipped: [], warnings, counts: emptyCounts() },
    };
  }
  const dec = new TextDecoder('utf-8');
  const files = new Map<string, string>();
  const media = new Map<string, Uint8Array>();
  for (const e of entries)
    if (e !== qde && /\.txt$/i.test(e.name)) files.set(e.name, dec.decode(e.data));
    else if (e !== qde) media.set(e.name, e.data);
  const r = importProjectXml(dec.decode(qde.data), files, options, media);
  const report = { ...r.report, warnings: [...warnings, ...r.report.warnings] };
  return r.ok ? { ...r, report } : { ok: false, issues: r.issues, report };
}

/** Import a REFI-QDA codebook (.qdc): codes with hierarchy, colours, definitions; sets of codes as themes. */
export function importQdc(
  xml: string,
):
  | { ok: true; codes: Code[]; themes: Theme[]; report: ImportReport }
  | { ok: false; issues: Issue[]; report: ImportReport } {
  const skipped: Skipped[] = [];
  const warnings: Issue[] = [];
  const empty: ImportReport = { skipped, warnings, counts: emptyCounts() };
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (e) {
    return {
      ok: false,
      issues: [
        {
          path: 'codebook',
          code: 'xml',
          message: `The codebook is not well-formed XML: ${(e as Error).message}`,
        },
      ],
      report: empty,
    };
  }
  if (root.local !== 'CodeBook')
    return {
      ok: false,
      issues: [
        {
          path: 'codebook',
          code: 'not_codebook',
          message: `The root element is <${root.name}>, not a REFI-QDA <CodeBook>.`,
        },
      ],
      report: empty,
    };
  if (root.ns !== CODEBOOK_NS)
    warnings.push({
      path: 'CodeBook',
      code: 'namespace',
      message: `The codebook namespace is "${root.ns ?? '(none)'}", not ${CODEBOOK_NS}; read it anyway.`,
    });
  const skip = (element: string, reason: string, name?: string) =>
    skipped.push({ element, reason, ...(name ? { name } : {}) });
  const codes = readCodes(firstChild(root, 'Codes') ?? root, skip);
  const themes = readThemes(firstChild(root, 'Sets') ?? root, 'guid', new Set(codes.map((c) => c.id)), skip);
  const report: ImportReport = {
    skipped,
    warnings,
    counts: { ...emptyCounts(), codes: codes.length, themes: themes.length },
  };
  return { ok: true, codes, themes, report };
}
