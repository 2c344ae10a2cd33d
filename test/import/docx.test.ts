import {
  DeletedTextRun,
  Document,
  InsertedTextRun,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
} from 'docx';
import { describe, expect, it } from 'vitest';
import { sliceCodePoints } from '../../src/core/qual/offsets.js';
import { docxParagraphs, importDocx } from '../../src/import/docx.js';
import { writeZip } from '../../src/lib/zip.js';
import { participants } from '../fixtures/qual/project.js';

const meta = { id: 'd1', name: 'FGD (Word)', language: 'ur' };

describe('.docx transcripts', () => {
  it('reads a Word file made by another library (docx): runs, tabs, breaks, tables, tracked changes', async () => {
    const doc = new Document({
      sections: [
        {
          children: [
            new Paragraph({ children: [new TextRun('Focus group 1 — transcript')] }),
            new Paragraph({
              children: [
                new TextRun({ text: '[00:00:05] Moderator: ', bold: true }),
                new TextRun('Welcome.'),
              ],
            }),
            new Paragraph({
              children: [
                new TextRun('Participant 4: The material is '),
                new TextRun({ text: 'impossible', italics: true }),
                new TextRun('.'),
              ],
            }),
            new Paragraph({
              children: [
                new TextRun('P2: '),
                new TextRun('امتحانات کا دباؤ 😔'),
                new InsertedTextRun({ text: ' بہت', id: 1, author: 'R1', date: '2025-03-20T10:00:00Z' }),
                new DeletedTextRun({ text: ' DELETED', id: 2, author: 'R1', date: '2025-03-20T10:00:00Z' }),
              ],
            }),
            new Paragraph({
              children: [
                new TextRun({ text: 'line one', break: 0 }),
                new TextRun({ text: 'line two', break: 1 }),
              ],
            }),
            new Table({
              rows: [
                new TableRow({ children: [new TableCell({ children: [new Paragraph('P3: in a table')] })] }),
              ],
            }),
          ],
        },
      ],
    });
    const bytes = new Uint8Array(await Packer.toBuffer(doc));
    const { paragraphs, problems } = docxParagraphs(bytes);
    expect(problems).toEqual([]);
    expect(paragraphs).toEqual([
      'Focus group 1 — transcript',
      '[00:00:05] Moderator: Welcome.',
      'Participant 4: The material is impossible.',
      'P2: امتحانات کا دباؤ 😔 بہت',
      'line one\nline two',
      'P3: in a table',
    ]);
    const t = importDocx(bytes, meta, { participants: participants() });
    expect(t.turns.map((x) => [x.speakerKey, x.participantId])).toEqual([
      ['Moderator', null],
      ['P4', 'p4'],
      ['P2', 'p2'],
      ['P3', 'p3'],
    ]);
    expect(sliceCodePoints(t.source.text, t.turns[2]!.contentStart, t.turns[2]!.end)).toBe(
      'امتحانات کا دباؤ 😔 بہت\nline one\nline two',
    );
  });

  it('reads a hand-made document.xml: w:tab, w:noBreakHyphen, field codes left out', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t xml:space="preserve">P1:</w:t></w:r><w:r><w:tab/><w:t>well</w:t><w:noBreakHyphen/><w:t>being</w:t></w:r></w:p>
<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:t>Moderator: ok</w:t></w:r></w:p>
</w:body></w:document>`;
    const bytes = writeZip([{ name: 'word/document.xml', data: xml }]);
    expect(docxParagraphs(bytes).paragraphs).toEqual(['P1:\twell-being', 'Moderator: ok']);
  });

  it('reports a file that is not a Word document', () => {
    const t = importDocx(writeZip([{ name: 'x.txt', data: 'hi' }]), meta);
    expect(t.issues[0]!.message).toMatch(/not a Word document/);
    expect(importDocx(new TextEncoder().encode('nope'), meta).issues[0]!.message).toMatch(
      /not a ZIP archive/,
    );
  });
});
