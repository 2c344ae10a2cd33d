/**
 * Tiny recordings built in code for tests (nothing downloaded): a valid PCM WAV file, and the first bytes of
 * the other formats nabz recognises (enough for sniffing, not for playing).
 */

/** A mono 16-bit PCM WAV of `seconds` of a sine tone at `hz` (8 kHz sample rate by default). */
export function wav(seconds: number, options: { rate?: number; hz?: number } = {}): Uint8Array {
  const rate = options.rate ?? 8000;
  const hz = options.hz ?? 440;
  const samples = Math.round(seconds * rate);
  const data = samples * 2;
  const out = new Uint8Array(44 + data);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + data, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true); // fmt chunk size
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true); // byte rate
  v.setUint16(32, 2, true); // block align
  v.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  v.setUint32(40, data, true);
  for (let i = 0; i < samples; i++)
    v.setInt16(44 + 2 * i, Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)), true);
  return out;
}

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? Array.from(p, (c) => c.charCodeAt(0)) : p)));

/** Leading bytes of each format nabz takes, padded to 64 bytes. */
export const HEADS = {
  mp3Id3: bytes('ID3', [4, 0, 0, 0, 0, 0, 0]),
  mp3Frame: bytes([0xff, 0xfb, 0x90, 0x64]),
  m4a: bytes([0, 0, 0, 0x20], 'ftypM4A ', [0, 0, 0, 0], 'M4A isom'),
  mp4: bytes([0, 0, 0, 0x20], 'ftypisom', [0, 0, 2, 0], 'isomiso2avc1mp41'),
  oggOpus: bytes(
    'OggS',
    [0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 19],
    'OpusHead',
  ),
  oggTheora: bytes(
    'OggS',
    [0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 42],
    '\x80theora',
  ),
  webm: bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84], 'webm'),
} as const;

/** Bytes that are no recording: a ZIP (e.g. a .docx renamed .mp3), a PNG, text. */
export const NOT_MEDIA = {
  zip: bytes('PK', [3, 4, 20, 0, 0, 0, 8, 0]),
  png: bytes([0x89], 'PNG', [13, 10, 26, 10]),
  text: bytes('WEBVTT\n\n00:00.000 --> 00:01.000\nhello'),
} as const;
