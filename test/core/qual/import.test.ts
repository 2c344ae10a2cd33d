/** Transcript import, pure (src/core/qual/import.ts). */
import { describe, expect, it } from 'vitest';
import { guessFormat, newParticipantsFor, prepareImport } from '../../../src/core/qual/import.js';
import type { Participant } from '../../../src/core/qual/model.js';

const META = { id: 's1', name: 'FGD', language: 'en', createdAt: '2025-01-01T00:00:00Z' };
let n = 0;
const newId = (prefix: string) => `${prefix}-${++n}`;

describe('transcript import', () => {
  it('guesses the format from the file name, else from the text', () => {
    expect(guessFormat('', 'a.DOCX')).toBe('docx');
    expect(guessFormat('WEBVTT\n\n00:00.000 --> 00:01.000\nhi')).toBe('vtt');
    expect(guessFormat('1\n00:00:01,000 --> 00:00:02,000\nhi\n')).toBe('srt');
    expect(guessFormat('P1: hello')).toBe('txt');
  });

  it('adds participants for numbered speakers the project does not know, and pseudonymises names', () => {
    const existing: Participant[] = [
      { id: 'p1', pseudonym: 'P1', name: 'Ayesha Khan', aliases: ['Ayesha'], attributes: {} },
    ];
    const text = 'P1: I am Ayesha.\n\nParticipant 3: Ayesha is right.\n\nModerator: thanks\n';
    const r = prepareImport('txt', { text }, META, existing, {
      autoParticipants: true,
      pseudonymize: true,
      newId,
    });
    expect(r.added.map((p) => [p.id, p.pseudonym])).toEqual([['p3', 'P3']]);
    expect(r.transcript.turns.map((t) => t.participantId)).toEqual(['p1', 'p3', null]);
    expect(r.transcript.source.text).not.toContain('Ayesha');
    expect(r.replacements).toBe(2);
  });

  it('adds no one and replaces nothing unless asked', () => {
    const existing: Participant[] = [
      { id: 'p1', pseudonym: 'P1', name: 'Ayesha Khan', aliases: ['Ayesha'], attributes: {} },
    ];
    const text = 'P1: I am Ayesha.\n\nParticipant 3: hello\n';
    const r = prepareImport('txt', { text }, META, existing, {
      autoParticipants: false,
      pseudonymize: false,
      newId,
    });
    expect(r.added).toEqual([]);
    expect(r.replacements).toBe(0);
    expect(r.transcript.source.text).toBe(text);
    expect(r.transcript.turns.map((t) => t.participantId)).toEqual(['p1', null]);
  });

  it('gives a fresh id when the natural one is taken', () => {
    const existing: Participant[] = [{ id: 'p2', pseudonym: 'X', aliases: [], attributes: {} }];
    const turns = prepareImport('txt', { text: 'P2: hi\n' }, META, existing, {
      autoParticipants: false,
      pseudonymize: false,
      newId,
    }).transcript.turns;
    expect(newParticipantsFor(turns, existing, () => 'p-fresh')).toEqual([
      { id: 'p-fresh', pseudonym: 'P2', aliases: [], attributes: {} },
    ]);
  });

  it('keeps the .docx reader’s problems as issues', () => {
    const r = prepareImport('docx', { text: 'P1: hi', problems: ['an image was left out'] }, META, [], {
      autoParticipants: false,
      pseudonymize: false,
      newId,
    });
    expect(r.transcript.issues[0]).toEqual({ path: 'docx', code: 'docx', message: 'an image was left out' });
  });
});
