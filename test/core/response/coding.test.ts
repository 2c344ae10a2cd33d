import { describe, expect, it } from 'vitest';
import {
  isProblem,
  numericCoder,
  optionFlagCoder,
  selectionCoder,
  textCoder,
} from '../../../src/core/response/coding.js';
import { AnswerStatus } from '../../../src/core/response/dataset.js';
import { parseMappingFile } from '../../../src/core/response/mappingFile.js';
import type { Target } from '../../../src/core/response/targets.js';
import { targets } from './fixtures.js';

const all = targets(['mini']);
const T = (id: string): Target => all.find((t) => t.id === id)!;
const A = (value: number) => ({ status: AnswerStatus.ANSWERED, value });

describe('numericCoder: scale items', () => {
  const c1 = numericCoder(T('mini_1'));
  const c3 = numericCoder(T('mini_3'));
  it('codes labels in any language, ignoring case, spaces and trailing punctuation', () => {
    expect(c1('Not at all')).toEqual(A(0));
    expect(c1('  nearly   EVERY day. ')).toEqual(A(3));
    expect(c1('کئی دن')).toEqual(A(1));
    expect(c1('تقریباً ہر روز')).toEqual(A(3));
  });
  it('codes numeric codes that are option values', () => {
    expect(c1('2')).toEqual(A(2));
    expect(c1('۳')).toEqual(A(3));
    expect(c1('2.0')).toEqual(A(2));
  });
  it('codes an empty cell as skipped', () => {
    expect(c1('')).toMatchObject({ status: AnswerStatus.SKIPPED });
    expect(c1('   ')).toMatchObject({ status: AnswerStatus.SKIPPED });
  });
  it('codes the N/A label as not applicable where the item allows it', () => {
    expect(c3('Not applicable')).toMatchObject({ status: AnswerStatus.NOT_APPLICABLE });
    expect(c3('لاگو نہیں')).toMatchObject({ status: AnswerStatus.NOT_APPLICABLE });
  });
  it('refuses the N/A label where the item does not allow it', () => {
    expect(c1('Not applicable')).toEqual({
      problem: 'na_not_allowed',
      message:
        '"Not applicable" means "not applicable", but item mini_1 does not allow "not applicable". Fix the cell or map it in a mapping file ("values": { "mini_1": { "Not applicable": "SKIP" } }).',
    });
  });
  it('names unknown labels and codes with the options', () => {
    expect(c1('Often')).toEqual({
      problem: 'unknown_label',
      message:
        '"Often" is not one of Not at all, Several days, More than half the days, Nearly every day. Fix the cell or map it in a mapping file ("values": { "mini_1": { "Often": <code> } }).',
    });
    expect(c1('7')).toEqual({
      problem: 'unknown_code',
      message:
        '"7" is not one of Not at all (0), Several days (1), More than half the days (2), Nearly every day (3). Fix the cell or map it in a mapping file ("values": { "mini_1": { "7": <code> } }).',
    });
  });
  it('lists labels in the requested language', () => {
    const ur = numericCoder(T('gender'), { language: 'ur' });
    const p = ur('F');
    expect(isProblem(p) && p.message.startsWith('"F" is not one of عورت, مرد.')).toBe(true);
  });
});

describe('numericCoder with a mapping file', () => {
  const m = parseMappingFile({
    values: {
      gender: { F: 1, M: 2, X: 9 },
      mini_1: { '9': 'SKIP', DK: 'NA' },
      '*': { '-99': 'SKIP', 'N/A': 'NA' },
    },
  });
  if (!m.ok) throw new Error('bad mapping');
  const mapping = m.value;
  it('applies item entries before "*" and before labels', () => {
    const g = numericCoder(T('gender'), { mapping });
    expect(g('F')).toEqual(A(1));
    expect(g(' m ')).toEqual(A(2));
    expect(g('-99')).toMatchObject({ status: AnswerStatus.SKIPPED });
    expect(g('Female')).toEqual(A(1));
    expect(numericCoder(T('mini_3'), { mapping })('N/A')).toMatchObject({
      status: AnswerStatus.NOT_APPLICABLE,
    });
    expect(numericCoder(T('mini_1'), { mapping })('9')).toMatchObject({ status: AnswerStatus.SKIPPED });
  });
  it('reports a mapped code that is not an option, and "NA" where N/A is not allowed', () => {
    expect(numericCoder(T('gender'), { mapping })('X')).toEqual({
      problem: 'mapping_file',
      message:
        '"X" is mapped to 9 by the mapping file ("gender"), but 9 is not a code of item gender (1, 2). Fix the mapping file.',
    });
    const p = numericCoder(T('mini_1'), { mapping })('DK');
    expect(isProblem(p) && p.problem).toBe('na_not_allowed');
    expect(isProblem(p) && p.message).toContain(
      '"DK" is mapped to "NA" by the mapping file ("mini_1"), but item mini_1 does not allow "not applicable"',
    );
  });
});

describe('numericCoder: number items', () => {
  const age = numericCoder(T('age'));
  it('reads numbers within limits', () => {
    expect(age('21')).toEqual(A(21));
    expect(age('۲۲')).toEqual(A(22));
    expect(age('')).toMatchObject({ status: AnswerStatus.SKIPPED });
  });
  it('checks number, range and whole number', () => {
    expect(age('twenty')).toEqual({
      problem: 'not_a_number',
      message:
        '"twenty" is not a number. Fix the cell or map it in a mapping file ("values": { "age": { "twenty": <number> | "SKIP" } }).',
    });
    expect(age('200')).toEqual({
      problem: 'out_of_range',
      message:
        '"200" is above the maximum 80 of item age. Fix the cell or map it in a mapping file ("values": { "age": { "200": <number> | "SKIP" } }).',
    });
    expect(isProblem(age('15')) && (age('15') as { problem: string }).problem).toBe('out_of_range');
    expect(isProblem(age('20.5')) && (age('20.5') as { problem: string }).problem).toBe('not_integer');
  });
});

describe('selectionCoder: multiple choice in one cell', () => {
  const cope = selectionCoder(T('coping'));
  const sel = (...selected: number[]) => ({ status: AnswerStatus.ANSWERED, selected });
  it('splits Google Forms ", " joins, keeping labels that contain commas', () => {
    expect(cope('Talking to friends, family, Exercise')).toEqual(sel(0, 1));
    expect(cope('Exercise, Talking to friends, family')).toEqual(sel(0, 1));
    expect(cope('Other, not listed')).toEqual(sel(3));
    expect(cope('Talking to friends, family, Other, not listed, Prayer')).toEqual(sel(0, 2, 3));
    expect(cope('نماز')).toEqual(sel(2));
    expect(cope('exercise,prayer')).toEqual(sel(1, 2));
  });
  it('reads option codes separated by spaces, commas or semicolons', () => {
    expect(cope('1 3')).toEqual(sel(0, 2));
    expect(cope('2;4')).toEqual(sel(1, 3));
    expect(cope('3')).toEqual(sel(2));
  });
  it('codes an empty cell as skipped for every option', () => {
    expect(cope('')).toEqual({ status: AnswerStatus.SKIPPED, selected: [] });
  });
  it('names the unknown parts of a cell', () => {
    expect(cope('Exercise, Yoga, Talking to friends, family')).toEqual({
      problem: 'unknown_label',
      message:
        '"Yoga" (in "Exercise, Yoga, Talking to friends, family") is not one of "Talking to friends, family", Exercise, Prayer, "Other, not listed". Fix the cell or map it in a mapping file ("values": { "coping": { "Yoga": <code> } }).',
    });
    const p = cope('Walking, in the park, Exercise, Music');
    expect(
      isProblem(p) &&
        p.message.startsWith(
          '"Walking, in the park" and "Music" (in "Walking, in the park, Exercise, Music") are not one of',
        ),
    ).toBe(true);
    const whole = cope('Yoga');
    expect(isProblem(whole) && whole.message.startsWith('"Yoga" is not one of')).toBe(true);
  });
  it('uses mapping-file values for parts', () => {
    const m = parseMappingFile({ values: { coping: { Yoga: 2, 'Something else': 'SKIP' } } });
    if (!m.ok) throw new Error('bad mapping');
    const c = selectionCoder(T('coping'), { mapping: m.value });
    expect(c('Yoga, Prayer')).toEqual(sel(1, 2));
    expect(c('Something else')).toEqual({ status: AnswerStatus.SKIPPED, selected: [] });
  });
});

describe('optionFlagCoder: one 0/1 column per option', () => {
  const c = optionFlagCoder(T('coping'), 1);
  it('reads 1/0, yes/no and the option label', () => {
    expect(c('1')).toEqual(A(1));
    expect(c('0')).toEqual(A(0));
    expect(c('TRUE')).toEqual(A(1));
    expect(c('no')).toEqual(A(0));
    expect(c('Exercise')).toEqual(A(1));
    expect(c('')).toMatchObject({ status: AnswerStatus.SKIPPED });
    expect(isProblem(c('maybe'))).toBe(true);
  });
});

describe('textCoder', () => {
  const c = textCoder(T('comments'));
  it('keeps text with line breaks, trims it, and returns null for empty', () => {
    expect(c('  Line one\nline two ')).toBe('Line one\nline two');
    expect(c('')).toBeNull();
  });
  it('refuses text longer than maxLength, counting characters not UTF-16 units', () => {
    expect(c('😀'.repeat(200))).toBe('😀'.repeat(200));
    expect(c('x'.repeat(201))).toEqual({
      problem: 'too_long',
      message:
        'the answer is 201 characters long; item comments allows at most 200. Shorten the cell, or raise maxLength in the study definition.',
    });
  });
});
