import { describe, expect, it } from 'vitest';
import { consensusCodebook } from '../../../src/core/qual/codebook.js';
import { compareCoders } from '../../../src/core/qual/comparison.js';
import { checkProject, type QualProject } from '../../../src/core/qual/model.js';
import { importProjectXml, importQdc, importQdpx, splitListBlock } from '../../../src/import/qdpx.js';
import { guidFor, hashGuid, isGuid, normalizeGuid } from '../../../src/lib/guid.js';
import { childElements, firstChild, parseXml, textContent } from '../../../src/lib/xml.js';
import { readZip, writeZip } from '../../../src/lib/zip.js';
import { codebookToQdc, decimalString, exportQdpx, projectToQde } from '../../../src/render/qdpx/export.js';
import { fixtureProject } from '../../fixtures/qual/project.js';
import { CODEBOOK_XSD, haveXmllint, inCi, PROJECT_XSD, xsdValidate } from './xmllint.js';

const dec = new TextDecoder();
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const firstIssue = (r: { ok: boolean }) =>
  (r as unknown as { issues: readonly { message: string }[] }).issues[0]!;

function imported(bytes: Uint8Array, options = {}): QualProject {
  const r = importQdpx(bytes, options);
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
  return r.project;
}

describe('xmllint', () => {
  it('is installed (required in CI: apt-get install libxml2-utils)', () => {
    if (inCi) expect(haveXmllint, 'xmllint is missing: install the Debian package libxml2-utils').toBe(true);
  });
});

describe('GUIDs', () => {
  it('are deterministic, match the REFI-QDA pattern, and pass GUID ids through', () => {
    const a = guidFor('proj', 'code', 'c1');
    expect(a).toMatch(GUID);
    expect(a[14]).toBe('8'); // version nibble
    expect('89ab').toContain(a[19]!); // RFC variant
    expect(guidFor('proj', 'code', 'c1')).toBe(a);
    expect(guidFor('proj', 'code', 'c2')).not.toBe(a);
    expect(guidFor('proj', 'memo', 'c1')).not.toBe(a);
    expect(guidFor('other', 'code', 'c1')).not.toBe(a);
    expect(guidFor('x', 'code', '{ABCDEF01-2345-6789-ABCD-EF0123456789}')).toBe(
      'abcdef01-2345-6789-abcd-ef0123456789',
    );
    expect(isGuid('{abcdef01-2345-6789-abcd-ef0123456789')).toBe(false);
    expect(normalizeGuid('ABCDEF01-2345-6789-ABCD-EF0123456789')).toBe(
      'abcdef01-2345-6789-abcd-ef0123456789',
    );
    expect(hashGuid('a', 'b')).toMatch(GUID);
  });
  it('decimalString never writes an exponent', () => {
    expect(decimalString(1e-7)).toBe('0.0000001');
    expect(decimalString(-2.5e-8)).toBe('-0.000000025');
    expect(decimalString(1e21)).toBe('1000000000000000000000');
    expect(decimalString(1.5e22)).toBe('15000000000000000000000');
    expect(Number(decimalString(1.2345e-9))).toBe(1.2345e-9);
    expect(decimalString(3.45)).toBe('3.45');
  });
});

describe('QDPX export', () => {
  const p = fixtureProject();
  const out = exportQdpx(p);

  it.skipIf(!haveXmllint)('project.qde validates against Project.xsd with zero errors', () => {
    const v = xsdValidate(out.xml, PROJECT_XSD);
    expect(v.output).toMatch(/validates$/);
    expect(v.ok, v.output).toBe(true);
  });

  it.skipIf(!haveXmllint)('(validation can fail: a broken GUID or a misplaced element is reported)', () => {
    const badGuid = xsdValidate(out.xml.replace(/guid="[0-9a-f-]+"/, 'guid="not-a-guid"'), PROJECT_XSD);
    expect(badGuid.ok).toBe(false);
    expect(badGuid.output).toMatch(/GUIDType|pattern/);
    const order = xsdValidate(
      out.xml
        .replace(/<Users>[\s\S]*?<\/Users>\n/, '')
        .replace(
          '</CodeBook>',
          '</CodeBook>\n<Users><User guid="00000000-0000-4000-8000-000000000001"/></Users>',
        ),
      PROJECT_XSD,
    );
    expect(order.ok).toBe(false);
  });

  it.skipIf(!haveXmllint)('also with UTF-16 positions, without turns, and for a bare project', () => {
    for (const xml of [
      projectToQde(p, { positionUnit: 'utf16', caseTurns: false }).xml,
      projectToQde({ ...p, themes: [], memos: [], segments: [], participants: [], turns: {} }).xml,
      projectToQde({
        id: 'x',
        name: 'Empty',
        sources: [],
        turns: {},
        participants: [],
        coders: [],
        codes: [],
        segments: [],
        memos: [],
        themes: [],
        themeReviewers: [],
        meta: {},
        refiGuids: {},
      }).xml,
    ]) {
      const v = xsdValidate(xml, PROJECT_XSD);
      expect(v.ok, v.output).toBe(true);
    }
  });

  it.skipIf(!haveXmllint)('the QDC codebook validates against Codebook.xsd with zero errors', () => {
    const v = xsdValidate(codebookToQdc(p.codes, { namespace: p.id, themes: p.themes }).xml, CODEBOOK_XSD);
    expect(v.ok, v.output).toBe(true);
  });

  it('is a ZIP with project.qde and each transcript as UTF-8 text under sources/', () => {
    const { entries, problems } = readZip(out.bytes);
    expect(problems).toEqual([]);
    const sg = p.sources.map((s) => guidFor(p.id, 'source', s.id));
    expect(entries.map((e) => e.name)).toEqual([
      'project.qde',
      `sources/${sg[0]}.txt`,
      `sources/${sg[1]}.txt`,
    ]);
    expect(dec.decode(entries[2]!.data)).toBe(p.sources[1]!.text); // Urdu, emoji, CRLF kept byte for byte
    expect(entries[2]!.data[0]).not.toBe(0xef); // no BOM
    const root = parseXml(dec.decode(entries[0]!.data));
    const ts = childElements(firstChild(root, 'Sources')!, 'TextSource')[1]!;
    expect(ts.attributes.plainTextPath).toBe(`internal://${sg[1]}.txt`);
  });

  it('selection positions are code points by default, UTF-16 units on request', () => {
    const s7 = p.segments.find((s) => s.id === 's7')!;
    const s8 = p.segments.find((s) => s.id === 's8')!; // starts at the emoji
    const find = (xml: string, id: string) => {
      const g = guidFor(p.id, 'segment', id);
      const m = new RegExp(`guid="${g}" startPosition="(\\d+)" endPosition="(\\d+)"`).exec(xml)!;
      return [Number(m[1]), Number(m[2])];
    };
    expect(find(out.xml, 's7')).toEqual([s7.start, s7.end]);
    const u16 = projectToQde(p, { positionUnit: 'utf16' }).xml;
    const text = p.sources[1]!.text;
    const u = text.indexOf('امتحانات');
    expect(find(u16, 's7')).toEqual([u, text.indexOf('😔') + 2]); // the emoji is two UTF-16 units
    expect(find(u16, 's8')[1]! - find(u16, 's8')[0]!).toBe(s8.end - s8.start + 1);
  });

  it('names no participant anywhere, and warns when a transcript still contains a name', () => {
    const all = readZip(out.bytes)
      .entries.map((e) => dec.decode(e.data))
      .join('\n');
    for (const part of p.participants) {
      expect(all).not.toContain(part.name!);
      expect(all).not.toContain(part.name!.split(' ')[0]!);
    }
    expect(out.warnings.map((w) => w.code)).toEqual(['theme_workflow']);
    const leaky = {
      ...p,
      sources: [{ ...p.sources[0]!, text: `${p.sources[0]!.text}\nModerator: Thanks, Ayesha Khan.` }],
      segments: p.segments.filter((s) => s.sourceId === 'fgd1'),
      memos: p.memos.filter((m) => m.id !== 'm3' && m.id !== 'm4'),
    };
    const w = projectToQde(leaky).warnings.find((x) => x.code === 'name_in_transcript')!;
    expect(w.message).toContain('1 occurrence(s) of the name of P1');
  });

  it('writes memos with CR intact (as &#13;) and phases as a note variable', () => {
    expect(out.xml).toContain(
      '<PlainTextContent>Read both transcripts twice.&#13;\nNoted pressure &amp; sleep.</PlainTextContent>',
    );
    expect(out.xml).toContain('name="Braun &amp; Clarke phase" typeOfVariable="Integer"');
  });
});

describe('round trip export → import → export', () => {
  const p = fixtureProject();
  const first = exportQdpx(p);
  const back = imported(first.bytes);
  const second = exportQdpx(back);
  const g = (kind: string, id: string) => guidFor(p.id, kind, id);

  it('writes a byte-identical project.qde and identical source files', () => {
    expect(second.xml).toBe(first.xml);
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
  });

  it('gives the same agreement and bootstrap intervals (codes and coders have new ids)', () => {
    const codeIds = ['workload', 'health', 'fear'];
    for (const coders of [
      ['r1', 'r2'],
      ['r1', 'r2', 'r3'],
    ]) {
      const opts = { coders, codeIds, unit: 'turn' as const, sources: 'coded' as const };
      const here = compareCoders(p, opts);
      const there = compareCoders(back, {
        ...opts,
        coders: coders.map((c) => g('coder', c)),
        codeIds: codeIds.map((c) => g('code', c)),
      });
      const figures = (c: typeof here) =>
        c.rows.map((r) => ({
          alpha: r.alpha.alpha,
          kappa: r.two?.kappa,
          alphaCi: r.alphaCi,
          twoCi: r.twoCi,
        }));
      expect(figures(there)).toEqual(figures(here));
    }
  });

  it('keeps codes with hierarchy, colours, definitions and examples', () => {
    expect(back.codes).toEqual(
      p.codes.map((c) => ({
        id: g('code', c.id),
        name: c.name,
        parentId: c.parentId === null ? null : g('code', c.parentId),
        definition: c.definition,
        examples: c.examples,
        codable: c.codable,
        ...(c.color ? { color: c.color } : {}),
      })),
    );
  });

  it('keeps every selection at its exact code-point positions, with coder, codes and memo', () => {
    const byId = new Map(back.segments.map((s) => [s.id, s]));
    for (const s of p.segments) {
      const b = byId.get(g('segment', s.id))!;
      expect([b.sourceId, b.start, b.end, b.coderId, b.codeIds, b.memo, b.createdAt]).toEqual([
        g('source', s.sourceId),
        s.start,
        s.end,
        g('coder', s.coderId),
        s.codeIds.map((c) => g('code', c)),
        s.memo,
        s.createdAt === '2025-03-21' ? '2025-03-21T00:00:00' : s.createdAt,
      ]);
      const src = back.sources.find((x) => x.id === b.sourceId)!;
      expect(Array.from(src.text).slice(b.start, b.end).join('')).toBe(
        Array.from(p.sources.find((x) => x.id === s.sourceId)!.text)
          .slice(s.start, s.end)
          .join(''),
      );
    }
    expect(back.sources.map((s) => [s.name, s.language, s.text])).toEqual(
      p.sources.map((s) => [s.name, s.language, s.text]),
    );
  });

  it('keeps coders, memos (targets, titles, dates, phases, CRLF) and themes as code sets', () => {
    expect(back.coders).toEqual(p.coders.map((c) => ({ id: g('coder', c.id), name: c.name })));
    const kinds: Record<string, string> = {
      project: 'project',
      code: 'code',
      segment: 'segment',
      source: 'source',
      theme: 'theme',
    };
    expect(back.memos).toEqual(
      p.memos.map((m) => ({
        id: g('memo', m.id),
        target:
          m.target.kind === 'project'
            ? m.target
            : { kind: m.target.kind, id: g(kinds[m.target.kind]!, m.target.id) },
        authorId: g('coder', m.authorId),
        at: m.at.length === 10 ? `${m.at}T00:00:00` : m.at,
        text: m.text,
        title: m.title ?? 'Memo',
        ...(m.phase !== undefined ? { phase: m.phase } : {}),
      })),
    );
    expect(
      back.themes.map((t) => [t.name, t.definition, t.supportNeeds, t.codeIds, t.status, t.parentId]),
    ).toEqual(
      p.themes.map((t) => [
        t.name,
        t.definition,
        t.supportNeeds,
        t.codeIds.map((c) => g('code', c)),
        'candidate',
        t.parentId === null ? null : g('theme', t.parentId),
      ]),
    );
  });

  it('keeps theme statuses and sub-theme nesting (in the set description) and still validates', () => {
    const status = { t1: 'final', t1a: 'reviewed', t2: 'candidate' } as const;
    const q: QualProject = {
      ...p,
      themes: p.themes.map((t) => ({ ...t, status: status[t.id as keyof typeof status] })),
    };
    const out = exportQdpx(q);
    const again = imported(out.bytes);
    expect(again.themes.map((t) => [t.name, t.status, t.parentId, t.definition, t.supportNeeds])).toEqual(
      q.themes.map((t) => [
        t.name,
        t.status,
        t.parentId === null ? null : g('theme', t.parentId),
        t.definition,
        t.supportNeeds,
      ]),
    );
    expect(exportQdpx(again).xml).toBe(out.xml);
    const qdc = codebookToQdc(q.codes, { namespace: q.id, themes: q.themes }).xml;
    const fromQdc = importQdc(qdc);
    expect(fromQdc.ok && fromQdc.themes.map((t) => [t.status, t.parentId])).toEqual(
      q.themes.map((t) => [t.status, t.parentId === null ? null : g('theme', t.parentId)]),
    );
    if (inCi) expect(haveXmllint).toBe(true);
    if (haveXmllint) {
      const v = xsdValidate(out.xml, PROJECT_XSD);
      expect(v.ok, v.output).toBe(true);
      const c = xsdValidate(qdc, CODEBOOK_XSD);
      expect(c.ok, c.output).toBe(true);
    }
  });

  it('keeps the consensus codebook’s merges (merged codes as non-codable sub-codes of their target) and still validates', () => {
    // "Workload" and "Mentorship" merged into "Fear of failure"; the export reads the project through the merge.
    const raw: QualProject = {
      ...p,
      codes: p.codes.map((c) =>
        c.id === 'workload' || c.id === 'mentor' ? { ...c, mergedInto: 'fear' } : c,
      ),
    };
    expect(checkProject(raw)).toEqual([]);
    const mergedCodes = raw.codes.filter((c) => c.mergedInto !== undefined);
    const out = exportQdpx(consensusCodebook(raw), { mergedCodes });
    expect(out.warnings.map((w) => w.code)).not.toContain('merge_target_missing');
    const root = parseXml(out.xml);
    const all = (e: ReturnType<typeof parseXml>): ReturnType<typeof parseXml>[] =>
      childElements(e, 'Code').flatMap((c) => [c, ...all(c)]);
    const fear = all(firstChild(firstChild(root, 'CodeBook')!, 'Codes')!).find(
      (c) => c.attributes.name === 'Fear of failure',
    )!;
    const subs = childElements(fear, 'Code');
    expect(subs.map((c) => [c.attributes.name, c.attributes.isCodable])).toEqual([
      ['Workload', 'false'],
      ['Mentorship', 'false'],
    ]);
    expect(textContent(firstChild(subs[0]!, 'Description')!)).toMatch(
      new RegExp(`\\n\\nConsensus codebook:\\n• merged into: ${g('code', 'fear')} \\(Fear of failure\\)$`),
    );
    // no coding names a merged code: their codings are the target's
    for (const sub of subs) expect(out.xml).not.toContain(`targetGUID="${sub.attributes.guid}"`);
    const back = imported(out.bytes);
    expect(checkProject(back)).toEqual([]);
    const merged = back.codes.filter((c) => c.mergedInto !== undefined);
    expect(merged.map((c) => [c.name, c.mergedInto, c.parentId, c.codable])).toEqual([
      ['Workload', g('code', 'fear'), g('code', 'fear'), true],
      ['Mentorship', g('code', 'fear'), g('code', 'fear'), true],
    ]);
    // definitions and examples come back without the list
    const work = p.codes.find((c) => c.id === 'workload')!;
    expect([merged[0]!.definition, merged[0]!.examples]).toEqual([work.definition, work.examples]);
    // read through the rebuilt merges, the import is the consensus codebook that was exported, and exports alike
    expect(consensusCodebook(back).codes.map((c) => c.name)).toEqual(
      consensusCodebook(raw).codes.map((c) => c.name),
    );
    const again = exportQdpx(consensusCodebook(back), { mergedCodes: merged });
    expect(again.xml).toBe(out.xml);
    if (haveXmllint) {
      const v = xsdValidate(out.xml, PROJECT_XSD);
      expect(v.ok, v.output).toBe(true);
    }
  });

  it('keeps cases with pseudonyms, attributes, screening, and their speaker turns — never names', () => {
    expect(back.participants).toEqual(
      p.participants.map((x) => ({
        id: g('participant', x.id),
        pseudonym: x.pseudonym,
        aliases: [],
        attributes: x.attributes,
        screening: x.screening,
      })),
    );
    expect(back.participants.some((x) => x.name !== undefined)).toBe(false);
    for (const s of p.sources) {
      const t0 = p.turns[s.id]!.map((t) => [
        t.start,
        t.end,
        t.participantId === null ? null : g('participant', t.participantId),
      ]);
      const t1 = back.turns[g('source', s.id)]!.map((t) => [t.start, t.end, t.participantId]);
      expect(t1).toEqual(t0);
    }
  });

  it('round-trips with UTF-16 positions too', () => {
    const u = exportQdpx(p, { positionUnit: 'utf16' });
    const b = imported(u.bytes, { positionUnit: 'utf16' });
    expect(b.segments.map((s) => [s.start, s.end])).toEqual(back.segments.map((s) => [s.start, s.end]));
    expect(exportQdpx(b, { positionUnit: 'utf16' }).xml).toBe(u.xml);
  });

  it('a QDC codebook round-trips too', () => {
    const q1 = codebookToQdc(p.codes, { namespace: p.id, themes: p.themes }).xml;
    const r = importQdc(q1);
    if (!r.ok) throw new Error('import failed');
    expect(
      r.codes.map((c) => [
        c.name,
        c.parentId === null ? null : r.codes.find((x) => x.id === c.parentId)!.name,
        c.examples,
      ]),
    ).toEqual(
      p.codes.map((c) => [
        c.name,
        c.parentId === null ? null : p.codes.find((x) => x.id === c.parentId)!.name,
        c.examples,
      ]),
    );
    expect(r.themes.map((t) => t.supportNeeds)).toEqual(p.themes.map((t) => t.supportNeeds));
    expect(codebookToQdc(r.codes, { namespace: 'whatever', themes: r.themes }).xml).toBe(q1);
  });

  it('a QDC is read as a project codebook is: short colours, and sets it cannot take are reported', () => {
    const G = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const r = importQdc(`<?xml version="1.0" encoding="UTF-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="OtherQDA"><Codes>
  <Code guid="${G(1)}" name="Stress" isCodable="true" color="#abc"/>
  <Code guid="not-a-guid" name="Broken" isCodable="true"/>
</Codes><Sets>
  <Set guid="${G(2)}" name="Pressure"><MemberCode guid="${G(1)}"/></Set>
  <Set name="No GUID"><MemberCode guid="${G(1)}"/></Set>
</Sets></CodeBook>`);
    if (!r.ok) throw new Error('import failed');
    expect(r.codes.map((c) => [c.name, c.color])).toEqual([['Stress', '#aabbcc']]);
    expect(r.themes.map((t) => [t.name, t.codeIds])).toEqual([['Pressure', [G(1)]]]);
    expect(r.report.skipped).toEqual([
      { element: 'Code', reason: 'no valid GUID or name (its sub-codes were skipped too)', name: 'Broken' },
      { element: 'Set', reason: 'no valid GUID or name', name: 'No GUID' },
    ]);
  });
});

describe('import tells what it could not take', () => {
  const G = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const foreign = `<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="From another tool" origin="OtherQDA 1.0" creationDateTime="2024-05-01T10:00:00Z">
  <Users><User guid="{${G(1).toUpperCase()}}" name="Coder A"/></Users>
  <CodeBook><Codes>
    <Code guid="${G(10)}" name="Stress" isCodable="true" color="#abc"><Description>Any stress.</Description>
      <Code guid="${G(11)}" name="Exams" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Variables><Variable guid="${G(20)}" name="Age" typeOfVariable="Integer"/><Variable guid="${G(21)}" name="Site" typeOfVariable="Text"/></Variables>
  <Cases><Case guid="${G(30)}" name="Fatima"><CodeRef targetGUID="${G(10)}"/><VariableValue><VariableRef targetGUID="${G(20)}"/><IntegerValue>22</IntegerValue></VariableValue></Case></Cases>
  <Sources>
    <TextSource guid="${G(40)}" name="Interview 1" plainTextPath="internal://${G(40)}.txt" creatingUser="${G(1)}">
      <PlainTextSelection guid="${G(41)}" startPosition="0" endPosition="9" creatingUser="${G(1)}"><Coding guid="${G(42)}"><CodeRef targetGUID="${G(11)}"/></Coding></PlainTextSelection>
      <PlainTextSelection guid="${G(43)}" startPosition="5" endPosition="999"><Coding guid="${G(44)}"><CodeRef targetGUID="${G(10)}"/></Coding></PlainTextSelection>
      <PlainTextSelection guid="${G(45)}" startPosition="2" endPosition="4"><NoteRef targetGUID="${G(61)}"/></PlainTextSelection>
      <Coding guid="${G(46)}"><CodeRef targetGUID="${G(10)}"/></Coding>
      <VariableValue><VariableRef targetGUID="${G(21)}"/><TextValue>Lahore</TextValue></VariableValue>
    </TextSource>
    <TextSource guid="${G(47)}" name="External" plainTextPath="relative:///files/x.txt"/>
    <TextSource guid="${G(48)}" name="Rich only" richTextPath="internal://${G(48)}.docx"/>
    <PictureSource guid="${G(50)}" name="Photo" path="internal://${G(50)}.png"/>
    <PDFSource guid="${G(51)}" name="Report" path="internal://${G(51)}.pdf"/>
    <AudioSource guid="${G(52)}" name="Recording"/>
  </Sources>
  <Notes>
    <Note guid="${G(60)}" name="Loose note" creatingUser="${G(1)}"><PlainTextContent>Not attached.</PlainTextContent></Note>
    <Note guid="${G(61)}" name="Annotation"><PlainTextContent>On an uncoded selection.</PlainTextContent></Note>
  </Notes>
  <Links><Link guid="${G(70)}" originGUID="${G(10)}" targetGUID="${G(11)}"/></Links>
  <Sets><Set guid="${G(80)}" name="Docs"><MemberSource targetGUID="${G(40)}"/></Set></Sets>
  <Graphs><Graph guid="${G(90)}"><Vertex guid="${G(91)}" firstX="0" firstY="0"/></Graph></Graphs>
</Project>
`;

  it.skipIf(!haveXmllint)('(the foreign file is itself schema-valid)', () => {
    const v = xsdValidate(foreign, PROJECT_XSD);
    expect(v.ok, v.output).toBe(true);
  });

  const bytes = writeZip([
    { name: 'project.qde', data: foreign },
    { name: `Sources/${G(40)}.txt`, data: 'I am stressed about exams.' },
  ]);
  const r = importQdpx(bytes, { projectId: 'imp' });

  it('imports what it can', () => {
    if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
    const p = r.project;
    expect(p.id).toBe('imp');
    // the annotation note names no user, and the project no creating user: an "Unknown coder" holds it
    expect(p.coders.map((c) => c.name)).toEqual(['Coder A', 'Unknown coder']);
    expect(r.report.warnings.map((w) => w.code)).toContain('no_user');
    expect(p.codes.map((c) => [c.name, c.parentId, c.color])).toEqual([
      ['Stress', null, '#aabbcc'],
      ['Exams', G(10), undefined],
    ]);
    expect(p.segments).toEqual([
      { id: G(41), sourceId: G(40), start: 0, end: 9, codeIds: [G(11)], coderId: G(1) },
    ]);
    expect(p.participants).toEqual([
      { id: G(30), pseudonym: 'Fatima', aliases: [], attributes: { Age: 22 } },
    ]);
    expect(p.memos.map((m) => [m.title, m.target, m.at])).toEqual([
      ['Loose note', { kind: 'project' }, '2024-05-01T10:00:00Z'],
      ['Annotation', { kind: 'project' }, '2024-05-01T10:00:00Z'],
    ]);
    expect(p.sources.map((s) => [s.name, s.language])).toEqual([['Interview 1', 'und']]);
  });

  it('and lists everything it left out, with reasons', () => {
    const skipped = r.report.skipped.map((s) => `${s.element}: ${s.reason}`);
    const expectOne = (re: RegExp) =>
      expect(
        skipped.filter((s) => re.test(s)),
        `${re} in\n${skipped.join('\n')}`,
      ).toHaveLength(1);
    expectOne(/^PictureSource: picture sources are not supported/);
    expectOne(/^PDFSource: pdf sources are not supported/);
    expectOne(/^AudioSource: it has no recording inside the QDPX/);
    expectOne(/^TextSource: its text is an external file \(relative:\/\/\/files\/x.txt\)/);
    expectOne(/^TextSource: it has no plain-text representation \(rich text only\)/);
    expectOne(/^PlainTextSelection: positions 5–999 are not a range inside "Interview 1" \(26 characters\)/);
    expectOne(/^Coding: codings of a whole source are not imported/);
    expectOne(/^VariableValue: source variable "Site" is not imported/);
    expectOne(/^CodeRef: codes attached to a case are not imported/);
    expectOne(/^NoteRef: a note on a selection without codes/);
    expectOne(/^PlainTextSelection: a selection without codes/);
    expectOne(/^Link: links are not supported/);
    expectOne(/^Graph: graphs are not supported/);
    expectOne(/^MemberSource: sets of sources are not imported/);
    const warned = r.report.warnings.map((w) => w.code);
    expect(warned).toContain('unattached_note');
    expect(warned).toContain('case_name');
    expect(r.report.counts).toMatchObject({
      sources: 1,
      codes: 2,
      segments: 1,
      coders: 2,
      memos: 2,
      participants: 1,
      variables: 2,
      themes: 1,
    });
  });

  it('bad input is a value, not an exception', () => {
    const notZip = importQdpx(new TextEncoder().encode('hello'));
    expect(notZip.ok).toBe(false);
    expect(firstIssue(notZip).message).toMatch(/no project.qde/);
    const badXml = importProjectXml('<Project name="x"><Users>', new Map());
    expect(badXml.ok).toBe(false);
    expect(firstIssue(badXml).message).toMatch(/not well-formed XML: Element <Users> is not closed/);
    const notProject = importProjectXml('<CodeBook/>', new Map());
    expect(firstIssue(notProject).message).toMatch(/not a REFI-QDA <Project>/);
  });

  it('a coder holding several codes on one selection becomes one segment per coder', () => {
    const xml = `<Project xmlns="urn:QDA-XML:project:1.0" name="t">
  <Users><User guid="${G(1)}" name="A"/><User guid="${G(2)}" name="B"/></Users>
  <CodeBook><Codes><Code guid="${G(10)}" name="x" isCodable="true"/><Code guid="${G(11)}" name="y" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="${G(40)}" name="s"><PlainTextContent>abcdef</PlainTextContent>
    <PlainTextSelection guid="${G(41)}" startPosition="1" endPosition="3">
      <Coding guid="${G(42)}" creatingUser="${G(1)}"><CodeRef targetGUID="${G(10)}"/></Coding>
      <Coding guid="${G(43)}" creatingUser="${G(2)}"><CodeRef targetGUID="${G(10)}"/></Coding>
      <Coding guid="${G(44)}" creatingUser="${G(1)}"><CodeRef targetGUID="${G(11)}"/></Coding>
    </PlainTextSelection></TextSource></Sources>
</Project>`;
    const res = importProjectXml(xml, new Map());
    if (!res.ok) throw new Error(res.issues[0]!.message);
    expect(res.project.segments.map((s) => [s.coderId, s.codeIds])).toEqual([
      [G(1), [G(10), G(11)]],
      [G(2), [G(10)]],
    ]);
  });

  it('splitListBlock reads the trailing list only', () => {
    expect(splitListBlock('Def.\n\nExamples:\n• a\n• b', 'Examples')).toEqual({
      text: 'Def.',
      items: ['a', 'b'],
    });
    expect(splitListBlock('Examples:\n• only', 'Examples')).toEqual({ text: '', items: ['only'] });
    expect(splitListBlock('No list here', 'Examples')).toEqual({ text: 'No list here', items: [] });
  });
});

describe('XML details of the export', () => {
  it('escapes names and descriptions, keeps Urdu source names', () => {
    const p = fixtureProject();
    const root = parseXml(projectToQde(p).xml);
    const codes = childElements(firstChild(firstChild(root, 'CodeBook')!, 'Codes')!, 'Code');
    expect(codes[2]!.attributes.name).toBe('Health & sleep <self-care>');
    expect(textContent(firstChild(codes[2]!, 'Description')!)).toBe(
      'Neglect of sleep, food & health; "self-care".',
    );
    expect(childElements(firstChild(root, 'Sources')!)[1]!.attributes.name).toBe('فوکس گروپ ۱ (اردو)');
  });
});
