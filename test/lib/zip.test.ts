import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, readZip, writeZip } from '../../src/lib/zip.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('CRC-32', () => {
  it('matches the standard check values', () => {
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(enc.encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });
});

describe('ZIP writer and reader', () => {
  it('round-trips stored and deflated entries with UTF-8 names', () => {
    const text = 'شریک ۴: امتحانات کا دباؤ 😔\n'.repeat(50);
    const bytes = writeZip([
      { name: 'project.qde', data: '<Project/>' },
      { name: 'sources/اردو.txt', data: text },
      { name: 'empty.txt', data: '' },
      { name: 'bin', data: new Uint8Array([0, 1, 2, 255]), method: 'store' },
    ]);
    const { entries, problems } = readZip(bytes);
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.name, e.method])).toEqual([
      ['project.qde', 0], // too short to gain from deflate: stored
      ['sources/اردو.txt', 8],
      ['empty.txt', 0],
      ['bin', 0],
    ]);
    expect(dec.decode(entries[1]!.data)).toBe(text);
    expect([...entries[3]!.data]).toEqual([0, 1, 2, 255]);
  });

  it('is deterministic (fixed timestamps)', () => {
    const a = writeZip([{ name: 'a.txt', data: 'x'.repeat(100) }]);
    const b = writeZip([{ name: 'a.txt', data: 'x'.repeat(100) }]);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('round-trips random entries', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            name: fc.stringMatching(/^[a-z]{1,8}(\/[a-z]{1,8})?\.txt$/),
            data: fc.uint8Array({ maxLength: 300 }),
          }),
          {
            selector: (e) => e.name,
            maxLength: 6,
          },
        ),
        (items) => {
          const { entries, problems } = readZip(writeZip(items));
          expect(problems).toEqual([]);
          expect(entries.map((e) => e.name)).toEqual(items.map((i) => i.name));
          for (const [i, e] of entries.entries())
            expect(Buffer.from(e.data).equals(Buffer.from(items[i]!.data))).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses unsafe or duplicate names when writing', () => {
    expect(() => writeZip([{ name: '../x', data: '' }])).toThrow(/relative/);
    expect(() => writeZip([{ name: '/x', data: '' }])).toThrow(/relative/);
    expect(() =>
      writeZip([
        { name: 'a', data: '' },
        { name: 'a', data: '' },
      ]),
    ).toThrow(/Duplicate/);
  });

  it('reports damage instead of throwing', () => {
    expect(readZip(enc.encode('not a zip')).problems[0]!.code).toBe('not_zip');
    const bytes = writeZip([{ name: 'a.txt', data: 'hello hello hello hello hello hello' }]);
    const bad = bytes.slice();
    bad[40] = bad[40]! ^ 0xff; // inside the compressed data
    const r = readZip(bad);
    expect(r.entries).toEqual([]);
    expect(['crc', 'damaged']).toContain(r.problems[0]!.code);
  });

  it('bounds inflation by the declared size (zip bomb)', () => {
    // An entry that claims 10 bytes but inflates to 1 MB.
    const big = new Uint8Array(1 << 20);
    const z = new Uint8Array(deflateRawSync(big));
    // Build by hand: local header + data + central directory + end record.
    const name = enc.encode('bomb.txt');
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(8, 8);
    lh.writeUInt32LE(0, 14);
    lh.writeUInt32LE(z.length, 18);
    lh.writeUInt32LE(10, 22);
    lh.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(z.length, 20);
    cd.writeUInt32LE(10, 24);
    cd.writeUInt16LE(name.length, 28);
    const local = Buffer.concat([lh, name, z]);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 8);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(46 + name.length, 12);
    end.writeUInt32LE(local.length, 16);
    const r = readZip(new Uint8Array(Buffer.concat([local, cd, name, end])));
    expect(r.entries).toEqual([]);
    expect(r.problems[0]!.code).toBe('damaged');
  });

  it('Info-ZIP unzip reads what we write, and we read what zip writes (when installed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabz-zip-'));
    const body = 'سلام 😔\n'.repeat(40);
    if (!spawnSync('unzip', ['-v']).error) {
      const file = join(dir, 't.zip');
      writeFileSync(file, writeZip([{ name: 'sources/a.txt', data: body }]));
      const t = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
      expect(t.status, t.stdout + t.stderr).toBe(0);
      expect(spawnSync('unzip', ['-p', file, 'sources/a.txt']).stdout.toString('utf8')).toBe(body);
    }
    if (!spawnSync('zip', ['-v']).error) {
      writeFileSync(join(dir, 'a.txt'), body);
      writeFileSync(join(dir, 'b.txt'), 'x');
      const z = spawnSync('zip', ['-q', '-X', 'out.zip', 'a.txt', 'b.txt'], { cwd: dir });
      expect(z.status).toBe(0);
      const { entries, problems } = readZip(new Uint8Array(readFileSync(join(dir, 'out.zip'))));
      expect(problems).toEqual([]);
      expect(entries.map((e) => [e.name, dec.decode(e.data)])).toEqual([
        ['a.txt', body],
        ['b.txt', 'x'],
      ]);
    }
  });
});
