import { describe, expect, it } from 'vitest';
import {
  classifyQuestionEdit,
  moveQuestion,
  questionVariables,
  replaceQuestion,
  structuralEditIssue,
} from '../../../src/core/study/editing.js';

const age = { id: 'age', type: 'number', text: { en: 'Age' }, min: 16, max: 60, required: true };
const year = {
  id: 'year',
  type: 'single',
  text: { en: 'Year of study' },
  options: [
    { value: 1, label: { en: 'First' } },
    { value: 2, label: { en: 'Second' } },
  ],
};
const stress = {
  id: 'stress',
  type: 'grid',
  text: { en: 'Stressful?' },
  options: [
    { value: 1, label: { en: 'No' } },
    { value: 2, label: { en: 'Yes' } },
  ],
  rows: [
    { id: 'exams', text: { en: 'Exams' } },
    { id: 'wards', text: { en: 'Wards' } },
  ],
};

describe('what an edit of a question changes', () => {
  it('names the variables of a question and of a grid', () => {
    expect(questionVariables(age)).toEqual(['age']);
    expect(questionVariables(stress)).toEqual(['stress_exams', 'stress_wards']);
  });

  it('calls text, short labels and option or statement labels wording', () => {
    expect(classifyQuestionEdit(age, { ...age })).toEqual({ kind: 'none', fields: [], removedVariables: [] });
    expect(classifyQuestionEdit(age, { ...age, text: { en: 'Your age' }, short: 'Age' })).toEqual({
      kind: 'wording',
      fields: ['short', 'text'],
      removedVariables: [],
    });
    const relabelled = {
      ...year,
      options: [
        { value: 1, label: { en: '1st year' } },
        { value: 2, label: { en: '2nd year' } },
      ],
    };
    expect(classifyQuestionEdit(year, relabelled).kind).toBe('wording');
    const rows = { ...stress, rows: [{ id: 'exams', text: { en: 'Examinations' } }, stress.rows[1]!] };
    expect(classifyQuestionEdit(stress, rows)).toMatchObject({ kind: 'wording', fields: ['rows'] });
  });

  it('calls a change of type, values, range, requirement, condition or statements structural', () => {
    expect(classifyQuestionEdit(age, { ...age, max: 99 })).toMatchObject({
      kind: 'structure',
      fields: ['max'],
    });
    expect(classifyQuestionEdit(age, { ...age, required: false }).kind).toBe('structure');
    expect(classifyQuestionEdit(age, { ...age, showIf: 'year >= 2' }).kind).toBe('structure');
    expect(classifyQuestionEdit(age, { ...age, type: 'text' }).kind).toBe('structure');
    const recoded = { ...year, options: [year.options[1]!, year.options[0]!] };
    expect(classifyQuestionEdit(year, recoded)).toMatchObject({ kind: 'structure', fields: ['options'] });
    const fewer = { ...stress, rows: [stress.rows[0]!] };
    expect(classifyQuestionEdit(stress, fewer)).toEqual({
      kind: 'structure',
      fields: ['rows'],
      removedVariables: ['stress_wards'],
    });
  });

  it('asks for confirmation of a structural edit only once there are responses', () => {
    const edit = classifyQuestionEdit(age, { ...age, max: 99 });
    const base = { question: 'age', edit, version: 3, confirmed: '' };
    expect(structuralEditIssue({ ...base, responses: 0 })).toBeUndefined();
    const issue = structuralEditIssue({ ...base, responses: 12 })!;
    expect(issue).toMatchObject({ path: 'confirm_change', code: 'confirm_change' });
    expect(issue.message).toContain('changes max, which 12 stored response(s) answered under version 3');
    expect(issue.message).toContain('save it as version 4');
    expect(structuralEditIssue({ ...base, responses: 12, confirmed: 'age' })).toBeUndefined();
    const wording = classifyQuestionEdit(age, { ...age, text: { en: 'Your age' } });
    expect(structuralEditIssue({ ...base, edit: wording, responses: 12 })).toBeUndefined();
  });
});

describe('replacing and moving questions', () => {
  it('replaces in place and refuses an unknown id', () => {
    const next = { ...age, text: { en: 'Your age' } };
    const r = replaceQuestion([year, age], 'age', next);
    expect(r.ok && r.value).toEqual([year, next]);
    expect(replaceQuestion([year], 'age', next)).toMatchObject({ ok: false, issues: [{ code: 'unknown' }] });
  });

  it('moves up and down, unchanged at the ends, without changing the input', () => {
    const list = [age, year, stress];
    const down = moveQuestion(list, 'age', 'down');
    expect(down.ok && down.value.map((q) => q.id)).toEqual(['year', 'age', 'stress']);
    const up = moveQuestion(list, 'age', 'up');
    expect(up.ok && up.value.map((q) => q.id)).toEqual(['age', 'year', 'stress']);
    expect(list.map((q) => q.id)).toEqual(['age', 'year', 'stress']);
    expect(moveQuestion(list, 'nope', 'up').ok).toBe(false);
  });
});
