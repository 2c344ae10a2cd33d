/**
 * `nabz simulate`: seeded synthetic respondents for a study, written as a Google Forms CSV export
 * (what `nabz analyze` reads). Streams, so 1,000,000 respondents never sit in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Expr } from '../../core/instrument/expression.js';
import { evaluateCondition, parseExpression } from '../../core/instrument/expression.js';
import {
  type FormColumn,
  googleFormsHeader,
  googleFormsRow,
  timestampAt,
} from '../../core/simulate/googleForms.js';
import { type SimItem, type SimulationSpec, simulateRespondents } from '../../core/simulate/respondents.js';
import { createRng } from '../../core/simulate/rng.js';
import { labelText, questionItems } from '../../core/study/questions.js';
import { num, parse, requireNum } from '../args.js';
import { CliError, usageError } from '../errors.js';
import { readJsonFile } from '../io.js';
import { loadStudy, studySource } from '../study.js';

const USAGE = `Usage: nabz simulate (--study STUDY.json | --instrument ID|FILE) --n N [--seed S] [--spec SIMULATION.json] [--out FILE.csv]

Writes N seeded synthetic respondents of the study as a Google Forms CSV (Timestamp, one column per question,
grid rows as "Title [Item]", answers as labels). The same seed always gives the same file.
  --spec   weights of single-choice answers, number distributions, group shifts (see examples/*/simulation.json)
  --out    output file (default: standard output)`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    {
      study: { type: 'string' },
      instrument: { type: 'string' },
      n: { type: 'string' },
      seed: { type: 'string' },
      spec: { type: 'string' },
      out: { type: 'string' },
    },
    USAGE,
  );
  const source = studySource(values, USAGE);
  const spec = (
    values.spec ? readJsonFile(values.spec, 'simulation spec') : {}
  ) as Partial<SimulationSpec> & {
    seed?: number;
    start?: string;
    days?: number;
  };
  const n = num(values.n, 'n', USAGE) ?? spec.n ?? requireNum(values.n, 'n', USAGE);
  if (!Number.isInteger(n) || n < 1) throw usageError(`--n must be a positive whole number, got ${n}`, USAGE);
  const seed = num(values.seed, 'seed', USAGE) ?? spec.seed ?? 1;
  const resolved = loadStudy(source);

  const columns: FormColumn[] = [];
  const showIf = new Map<string, Expr>();
  const addItem = (sim: SimItem, gridStem?: string, na?: string) => {
    columns.push({ sim, ...(gridStem ? { gridStem } : {}), ...(na ? { notApplicableLabel: na } : {}) });
    if (sim.item.showIf) {
      const p = parseExpression(sim.item.showIf);
      if (!p.ok)
        throw new CliError(
          `question "${sim.item.id}": showIf "${sim.item.showIf}" is not valid: ${p.error.message}`,
        );
      showIf.set(sim.item.id, p.value);
    }
  };
  for (const q of resolved.study.questions) {
    for (const { item, grid } of questionItems(q)) {
      // A grid row's column is headed "Stem [Row]", as Google Forms heads grid rows.
      const sim = grid ? { ...item, text: grid.row.text } : item;
      addItem(
        { item: sim, ...(item.options ? { options: item.options } : {}) },
        grid ? labelText(q.text) || undefined : undefined,
      );
    }
  }
  for (const ins of resolved.instruments) {
    for (const item of ins.items) {
      const scale = ins.scales.find((s) => s.id === item.scale);
      const options = scale?.options ?? item.options;
      const na = scale?.notApplicableLabel?.en;
      addItem(
        { item, ...(options ? { options } : {}), ...(scale ? { scale } : {}) },
        ins.title.en ?? ins.shortTitle,
        na,
      );
    }
  }

  // Generation is synchronous; rows go out in 1 MB chunks with writeSync, so memory stays bounded for any n.
  const fd = values.out ? openSync(values.out, 'w') : 1;
  const rng = createRng(seed);
  const start = new Date(`${spec.start ?? '2025-01-01'}T03:00:00Z`);
  const days = spec.days ?? 90;
  let buf = `${googleFormsHeader(columns)}\n`;
  simulateRespondents(
    columns.map((c) => c.sim),
    { ...spec, n } as SimulationSpec,
    rng,
    (answers, i) => {
      for (const [id, e] of showIf) {
        const shown = evaluateCondition(e, (scope, ref) =>
          scope === 'item' ? ((answers.get(ref) as number | string | null) ?? null) : null,
        );
        if (!shown) answers.set(id, null);
      }
      buf += `${googleFormsRow(columns, answers, timestampAt(start, days, i, n, rng))}\n`;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    },
  );
  writeSync(fd, buf);
  if (values.out) {
    closeSync(fd);
    process.stderr.write(`wrote ${n} respondents (seed ${seed}) to ${values.out}\n`);
  }
}
