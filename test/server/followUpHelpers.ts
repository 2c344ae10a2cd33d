/** Shared by the follow-up volunteer tests (volunteers.test.ts, mail.test.ts): the study and a respondent. */
import { expect } from 'vitest';
import type { FormBrowser } from './helpers.js';

export function followUpStudy(): Record<string, unknown> {
  return {
    id: 'fu_screening',
    title: 'Burnout screening',
    languages: ['en', 'ur'],
    instruments: [{ instrument: 'phq9' }],
    followUp: {
      eligibleIf: 'band.phq9_total in ["Moderate", "Moderately severe"]',
      description: { en: 'A 60-minute focus group in March.', ur: 'مارچ میں ایک گھنٹے کی گروپ گفتگو۔' },
    },
  };
}

/**
 * Answer the PHQ-9 study and submit: every scored item at `v` (total 9v), or items 1–9 as listed; the browser is
 * on the end page.
 */
export async function answerPhq9(
  b: FormBrowser,
  token: string,
  v: number | readonly number[],
  lang = 'en',
): Promise<void> {
  await b.get(`/s/${token}?lang=${lang}`);
  for (let step = 0; step < 5 && b.page() !== 'review'; step++) {
    const fields: Record<string, string> = {};
    for (let i = 1; i <= 10; i++)
      if (b.html.includes(`name="phq9_${i}"`))
        fields[`phq9_${i}`] = String(i === 10 ? 0 : typeof v === 'number' ? v : (v[i - 1] ?? 0));
    await b.submit(fields);
  }
  expect(b.page()).toBe('review');
  await b.submit({}, { name: '_nav', value: 'submit' });
  expect(b.status).toBe(200);
}
