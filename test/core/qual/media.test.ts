import { describe, expect, it } from 'vitest';
import { prepareImport } from '../../../src/core/qual/import.js';
import {
  checkMedia,
  clockTime,
  fragmentTime,
  MAX_MEDIA_BYTES,
  sniffMedia,
  turnSpans,
} from '../../../src/core/qual/media.js';
import type { Turn } from '../../../src/core/qual/model.js';
import { importSrt } from '../../../src/core/qual/transcript.js';
import { HEADS, NOT_MEDIA, wav } from '../../helpers/media.js';

describe('recordings: type by the first bytes', () => {
  it('recognises MP3, M4A, MP4, WAV, Ogg audio and video, WebM', () => {
    const got = (b: Uint8Array) => sniffMedia(b)?.contentType ?? null;
    expect(got(wav(0.01))).toBe('audio/wav');
    expect(got(HEADS.mp3Id3)).toBe('audio/mpeg');
    expect(got(HEADS.mp3Frame)).toBe('audio/mpeg');
    expect(got(HEADS.m4a)).toBe('audio/mp4');
    expect(got(HEADS.mp4)).toBe('video/mp4');
    expect(got(HEADS.oggOpus)).toBe('audio/ogg');
    expect(got(HEADS.oggTheora)).toBe('video/ogg');
    expect(got(HEADS.webm)).toBe('video/webm');
  });

  it('refuses other files whatever their name, naming the file and its first bytes', () => {
    for (const b of Object.values(NOT_MEDIA)) expect(sniffMedia(b)).toBeNull();
    // An MPEG sync word with a reserved layer or a bad bit rate is no MP3 frame.
    expect(sniffMedia(new Uint8Array([0xff, 0xf9, 0x90, 0x64]))).toBeNull();
    expect(sniffMedia(new Uint8Array([0xff, 0xfb, 0xf0, 0x64]))).toBeNull();
    const r = checkMedia(NOT_MEDIA.zip, 'interview.mp3');
    expect(r).toMatchObject({ ok: false, code: 'not_media' });
    if (!r.ok)
      expect(r.message).toBe(
        '"interview.mp3" is not an audio or video file nabz can play: its first bytes are 50 4B 03 04 14 00 00 00 …, not those of MP3, M4A, WAV, Ogg, WebM or MP4 (the file name does not decide). Nothing was saved; export the recording in one of these formats.',
      );
    expect(checkMedia(new Uint8Array(0), 'x.wav')).toMatchObject({ ok: false, code: 'not_media' });
    const big = new Uint8Array(MAX_MEDIA_BYTES + 1);
    big.set(HEADS.mp3Id3);
    expect(checkMedia(big, 'long.mp3')).toMatchObject({ ok: false, code: 'too_large' });
    expect(checkMedia(big.subarray(0, MAX_MEDIA_BYTES), 'ok.mp3')).toMatchObject({ ok: true });
  });
});

describe('the time span of a turn', () => {
  it('takes SRT start and end times per turn, to the millisecond', () => {
    const srt =
      '1\n00:00:01,250 --> 00:00:04,000\nModerator: How are exams?\n\n' +
      '2\n00:00:04,500 --> 00:00:09,125\nP1: Hard.\n\n3\n00:00:09,125 --> 00:00:12,000\nP1: Very hard.\n';
    const t = importSrt(srt, { id: 's', name: 's', language: 'en' });
    expect(t.turns.map((x) => [x.time, x.endTime])).toEqual([
      [1.25, 4],
      [4.5, 12],
    ]);
    expect([...turnSpans(t.turns)]).toEqual([
      [0, { start: 1.25, end: 4 }],
      [1, { start: 4.5, end: 12 }],
    ]);
  });

  it('keeps the cue times when the import adds participants and replaces names (turns recognised again)', () => {
    const vtt =
      'WEBVTT\n\n00:00:01.250 --> 00:00:03.500\n<v Moderator>How was the exam?\n\n' +
      '00:00:03.500 --> 00:00:06.125\n<v Ayesha>Ayesha here: very hard.\n\n' +
      '00:00:06.125 --> 00:00:08.000\n<v P2>Same.\n';
    let n = 0;
    const r = prepareImport(
      'vtt',
      { text: vtt },
      { id: 's', name: 's', language: 'en', createdAt: '2025-01-01' },
      [],
      {
        autoParticipants: true,
        pseudonymize: true,
        newId: (prefix) => `${prefix}${++n}`,
      },
    );
    expect(r.added.map((p) => p.pseudonym)).toEqual(['P1', 'P2']);
    expect(r.replacements).toBeGreaterThan(0);
    expect(r.transcript.source.text).not.toContain('Ayesha');
    expect(r.transcript.turns.map((t) => [t.speakerKey, t.time, t.endTime])).toEqual([
      ['Moderator', 1.25, 3.5],
      ['P1', 3.5, 6.125],
      ['P2', 6.125, 8],
    ]);
  });

  it('ends a turn without an end time at the next timed turn; the last plays on; untimed turns have none', () => {
    const turn = (index: number, start: number, time?: number): Turn => ({
      index,
      start,
      end: start + 5,
      contentStart: start + 2,
      label: 'P1',
      speakerKey: 'P1',
      role: 'participant',
      participantId: null,
      ...(time !== undefined ? { time } : {}),
    });
    const spans = turnSpans([turn(0, 0, 3), turn(1, 10), turn(2, 20, 65.5), turn(3, 30, 70)]);
    expect([...spans]).toEqual([
      [0, { start: 3, end: 65.5 }],
      [2, { start: 65.5, end: 70 }],
      [3, { start: 70 }],
    ]);
    expect(fragmentTime(65.5)).toBe('65.5');
    expect(fragmentTime(1 / 3)).toBe('0.333');
    expect(clockTime(65.5)).toBe('1:05');
    expect(clockTime(3725)).toBe('1:02:05');
    expect(clockTime(1.75, 'up')).toBe('0:02');
    expect(clockTime(2, 'up')).toBe('0:02');
  });
});
