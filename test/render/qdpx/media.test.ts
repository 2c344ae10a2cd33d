/**
 * REFI-QDA with recordings: a transcript's recording is exported as AudioSource/VideoSource holding the
 * transcript as Transcript with SyncPoints from the turn times, valid against Project.xsd (xmllint), and read
 * back by the import — bytes, links and turn times (start and end, to the millisecond) — so that export →
 * import → export writes the same project.qde. Recordings are WAVs built in code.
 */
import { describe, expect, it } from 'vitest';
import { parseQualProject, type QualProject } from '../../../src/core/qual/model.js';
import { importWebVtt } from '../../../src/core/qual/transcript.js';
import { importQdpx, QDPX_ZIP } from '../../../src/import/qdpx.js';
import { hashGuid } from '../../../src/lib/guid.js';
import { childElements, firstChild, parseXml } from '../../../src/lib/xml.js';
import { readZip, writeZip } from '../../../src/lib/zip.js';
import { exportQdpx } from '../../../src/render/qdpx/export.js';
import { HEADS, NOT_MEDIA, wav } from '../../helpers/media.js';
import { haveXmllint, inCi, PROJECT_XSD, xsdValidate } from './xmllint.js';

/** Urdu with an emoji (outside the BMP), so code points and UTF-16 positions differ after it. */
const VTT =
  'WEBVTT\n\n00:00:00.250 --> 00:00:01.125\n<v Moderator>امتحان کیسا رہا؟ 😔\n\n' +
  '00:00:01.125 --> 00:00:01.750\n<v P1>بہت مشکل تھا۔\n\n00:00:01.875 --> 00:00:02.000\n<v P2>The fear.\n';

function project(): QualProject {
  const participants = [
    { id: 'p1', pseudonym: 'P1', aliases: [], attributes: {} },
    { id: 'p2', pseudonym: 'P2', aliases: [], attributes: {} },
  ];
  const t = importWebVtt(VTT, { id: 'fgd1', name: 'FGD 1', language: 'ur' }, { participants });
  const turn = t.turns[1]!;
  const parsed = parseQualProject({
    id: 'media-project',
    name: 'Exams',
    sources: [t.source],
    turns: { fgd1: t.turns },
    participants,
    coders: [{ id: 'u1', name: 'Coder A' }],
    codes: [{ id: 'hard', name: 'Difficulty' }],
    segments: [
      {
        id: 's1',
        sourceId: 'fgd1',
        start: turn.contentStart,
        end: turn.end,
        codeIds: ['hard'],
        coderId: 'u1',
      },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('; '));
  return parsed.value;
}

const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));

describe('QDPX with a recording', () => {
  const p = project();
  const audio = wav(2);
  const out = exportQdpx(p, { media: [{ sourceId: 'fgd1', name: 'fgd1.wav', bytes: audio }] });
  const root = parseXml(out.xml);
  const sources = childElements(firstChild(root, 'Sources')!);

  it('validates against REFI-QDA Project.xsd', () => {
    if (inCi) expect(haveXmllint).toBe(true);
    if (!haveXmllint) return;
    const v = xsdValidate(out.xml, PROJECT_XSD);
    expect(v.ok, v.output).toBe(true);
  });

  it('writes an AudioSource holding the transcript, with a SyncPoint at each turn start and end', () => {
    expect(sources.map((s) => s.local)).toEqual(['TextSource', 'AudioSource']);
    const [text, rec] = sources as [(typeof sources)[0], (typeof sources)[0]];
    expect(rec.attributes.name).toBe('fgd1.wav');
    expect(rec.attributes.path).toBe(`internal://${rec.attributes.guid}.wav`);
    const tr = firstChild(rec, 'Transcript')!;
    expect(tr.attributes.plainTextPath).toBe(text.attributes.plainTextPath);
    const points = childElements(tr, 'SyncPoint').map((s) => [
      Number(s.attributes.position),
      Number(s.attributes.timeStamp),
    ]);
    const turns = p.turns.fgd1!;
    expect(points).toEqual(
      turns.flatMap((t) => [
        [t.start, ms(t.time)],
        [t.end, ms(t.endTime)],
      ]),
    );
    expect(points.map((x) => x[1])).toEqual([250, 1125, 1125, 1750, 1875, 2000]);
    // The recording is stored (not deflated) under its GUID, byte for byte.
    const zip = readZip(out.bytes);
    const entry = zip.entries.find((e) => e.name === `sources/${rec.attributes.guid}.wav`)!;
    expect(entry.method).toBe(0);
    expect(Buffer.from(entry.data).equals(Buffer.from(audio))).toBe(true);
  });

  it('reads it back: the recording, its transcript, the turn times; export again is identical', () => {
    const r = importQdpx(out.bytes, { projectId: p.id });
    if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
    const sid = sources[0]!.attributes.guid!;
    expect(r.media.map((m) => [m.sourceId, m.name])).toEqual([[sid, 'fgd1.wav']]);
    expect(Buffer.from(r.media[0]!.bytes).equals(Buffer.from(audio))).toBe(true);
    const times = (t: QualProject['turns'][string]) => t.map((x) => [x.start, ms(x.time), ms(x.endTime)]);
    expect(times(r.project.turns[sid]!)).toEqual(times(p.turns.fgd1!));
    expect(r.project.segments).toHaveLength(1);
    expect(r.report.skipped).toEqual([]);
    const again = exportQdpx(r.project, { media: r.media });
    expect(again.xml).toBe(out.xml);
    expect(Buffer.from(again.bytes).equals(Buffer.from(out.bytes))).toBe(true);
  });

  it('counts sync point positions in UTF-16 units when asked, and reads them back so', () => {
    const u16 = exportQdpx(p, {
      positionUnit: 'utf16',
      media: [{ sourceId: 'fgd1', name: 'fgd1.wav', bytes: audio }],
    });
    if (haveXmllint) expect(xsdValidate(u16.xml, PROJECT_XSD).ok).toBe(true);
    const positions = childElements(
      firstChild(childElements(firstChild(parseXml(u16.xml), 'Sources')!)[1]!, 'Transcript')!,
      'SyncPoint',
    ).map((s) => Number(s.attributes.position));
    const turns = p.turns.fgd1!;
    expect(positions[2]).toBe(turns[1]!.start + 1); // after the emoji: one more UTF-16 unit
    const r = importQdpx(u16.bytes, { positionUnit: 'utf16' });
    if (!r.ok) throw new Error('not imported');
    const sid = Object.keys(r.project.turns)[0]!;
    expect(r.project.turns[sid]!.map((t) => ms(t.endTime))).toEqual([1125, 1750, 2000]);
  });

  it('writes a video as VideoSource (type by the bytes, whatever the name)', () => {
    const v = exportQdpx(p, { media: [{ sourceId: 'fgd1', name: 'fgd1.mp3', bytes: HEADS.mp4 }] });
    if (haveXmllint) expect(xsdValidate(v.xml, PROJECT_XSD).ok).toBe(true);
    const rec = childElements(firstChild(parseXml(v.xml), 'Sources')!)[1]!;
    expect(rec.local).toBe('VideoSource');
    expect(rec.attributes.path).toMatch(/\.mp4$/);
  });
});

describe('QDPX recordings from other tools', () => {
  const G = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const qde = (path: string) => `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Foreign" origin="Other tool">
  <Sources>
    <AudioSource guid="${G(1)}" name="Interview" path="${path}">
      <Transcript guid="${G(2)}" name="Interview transcript">
        <PlainTextContent>Interviewer: How was it?

P1: Hard.</PlainTextContent>
        <SyncPoint guid="${G(3)}" timeStamp="1500" position="0"/>
        <SyncPoint guid="${G(4)}" timeStamp="4250" position="26"/>
        <TranscriptSelection guid="${G(5)}" fromSyncPoint="${G(3)}" toSyncPoint="${G(4)}"/>
      </Transcript>
      <AudioSelection guid="${G(6)}" begin="0" end="1000"/>
    </AudioSource>
  </Sources>
</Project>`;

  it('(the foreign file is itself schema-valid)', () => {
    if (haveXmllint) {
      const v = xsdValidate(qde(`internal://${G(1)}.m4a`), PROJECT_XSD);
      expect(v.ok, v.output).toBe(true);
    }
  });

  it('takes a transcript that is no TextSource as a source, timed by its sync points, and reports the rest', () => {
    const audio = new Uint8Array(64);
    audio.set(HEADS.m4a);
    const zip = writeZip([
      { name: 'project.qde', data: qde(`internal://${G(1)}.m4a`) },
      { name: `sources/${G(1)}.m4a`, data: audio },
    ]);
    const r = importQdpx(zip);
    if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
    expect(r.project.sources.map((s) => [s.id, s.name])).toEqual([[G(2), 'Interview transcript']]);
    expect(r.media.map((m) => m.sourceId)).toEqual([G(2)]);
    expect(r.project.turns[G(2)]!.map((t) => [t.speakerKey, t.time])).toEqual([
      ['Interviewer', 1.5],
      ['P1', 4.25],
    ]);
    expect(r.report.skipped.map((s) => `${s.element}: ${s.reason}`)).toEqual([
      'AudioSelection: codings of a recording’s time spans are not imported; nabz codes the transcript',
      'TranscriptSelection: selections between sync points are not imported; code the TextSource',
    ]);
    expect(r.project.refiGuids[`media:${G(2)}`]).toBe(G(1));
    const again = exportQdpx(r.project, { media: r.media });
    expect(again.xml).toContain(
      `<AudioSource guid="${G(1)}" name="Interview" path="internal://${G(1)}.m4a">`,
    );
    expect(again.xml).toContain(`<Transcript guid="${G(2)}"`);
  });

  it('refuses a recording that is not one (by its bytes), naming it; an external one is reported', () => {
    const zip = writeZip([
      { name: 'project.qde', data: qde(`internal://${G(1)}.m4a`) },
      { name: `sources/${G(1)}.m4a`, data: NOT_MEDIA.png },
    ]);
    const r = importQdpx(zip);
    if (!r.ok) throw new Error('not imported');
    expect(r.media).toEqual([]);
    expect(r.report.skipped.map((s) => s.reason)).toContainEqual(
      expect.stringMatching(
        /^"Interview" is not an audio or video file nabz can play: its first bytes are 89 50 4E 47/,
      ),
    );
    const ext = importQdpx(writeZip([{ name: 'project.qde', data: qde('relative:///rec/interview.m4a') }]));
    if (!ext.ok) throw new Error('not imported');
    expect(ext.report.skipped.map((s) => `${s.element}: ${s.reason}`)).toContainEqual(
      'AudioSource: its recording is an external file (relative:///rec/interview.m4a); only files inside the QDPX (internal://) can be read',
    );
  });

  it('reads recordings out of the archive (QDPX_ZIP) but no other binary entries', () => {
    expect(QDPX_ZIP.only!('sources/x.m4a')).toBe(true);
    expect(QDPX_ZIP.only!('sources/x.WEBM')).toBe(true);
    expect(QDPX_ZIP.only!('sources/x.png')).toBe(false);
    expect(hashGuid('media', 'x')).not.toBe(hashGuid('transcript', 'x'));
  });
});
