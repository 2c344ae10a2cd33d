/** Data and goldens shared by the post-hoc and Kruskal–Wallis tests (test/goldens/r/posthoc.R -> posthoc.json). */
import { readFileSync } from 'node:fs';
import { readPsppCsv, readPsppCsvText } from './pspp.js';

export const posthocGolden = JSON.parse(
  readFileSync(new URL('../../goldens/posthoc.json', import.meta.url), 'utf8'),
);

export const sets = ['plantgrowth', 'warpbreaks', 'toothgrowth', 'sim'];

/** The groups of a data set in R's factor-level order (the golden's `levels`). */
export function groupsOf(name: string): { labels: string[]; samples: number[][] } {
  const files: Record<string, [string, string, string]> = {
    plantgrowth: ['plantgrowth.csv', 'weight', 'group'],
    warpbreaks: ['warpbreaks.csv', 'breaks', 'tension'],
    toothgrowth: ['toothgrowth.csv', 'len', 'dose'],
    sim: ['posthoc_sim.csv', 'score', 'group'],
  };
  const [file, y, g] = files[name]!;
  const values = readPsppCsv(file)[y]!;
  const groups = readPsppCsvText(file)[g]!;
  const labels = posthocGolden.kruskal[name].levels as string[];
  const samples = labels.map((l) => values.filter((_, i) => groups[i] === l));
  return { labels, samples };
}
