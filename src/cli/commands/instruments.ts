/** `nabz instruments list | show ID [--json]`: the instrument library, with scoring, bands and licence. */

import type { Instrument } from '../../core/instrument/schema.js';
import { at } from '../../core/stats/at.js';
import {
  getInstrument,
  instrumentIds,
  listInstruments,
  OMITTED_INSTRUMENTS,
} from '../../instruments/index.js';
import { parse } from '../args.js';
import { CliError, usageError } from '../errors.js';
import { isInstrumentFile, loadInstrumentFile } from '../study.js';

const USAGE = `Usage: nabz instruments list
       nabz instruments show (ID | FILE.instrument.json) [--json]

list: every library instrument with its items, scores and whether its text ships here.
show: one instrument (a library id, or an own instrument file, which is validated) — citation, licence and terms, scales, items, scores, bands, safety rules; --json prints the
      definition (validated against schemas/instrument.schema.json).`;

const en = (t: Record<string, string> | undefined) => (t ? (t.en ?? Object.values(t)[0] ?? '') : '');

function show(ins: Instrument): string {
  const lines: string[] = [];
  lines.push(`${en(ins.title)} (${ins.shortTitle}) — id ${ins.id}, version ${ins.version}`);
  lines.push(`Citation: ${ins.citation}`);
  lines.push(`Licence: ${ins.licence.name}${ins.licence.url ? ` <${ins.licence.url}>` : ''}`);
  lines.push(`  Required attribution: ${ins.licence.attribution}`);
  lines.push(
    `  Item text ${ins.licence.textIncluded ? (getInstrument(ins.id) === ins ? 'ships with nabz' : 'is in the definition') : 'does NOT ship: supply it as a text pack (docs/instruments.md)'}`,
  );
  if (ins.licence.requiresAcknowledgement)
    lines.push("  A study must acknowledge the owner's terms before using it:");
  lines.push(...ins.licence.terms.split('\n').map((l) => `    ${l}`));
  if (ins.recallPeriod) lines.push(`Recall period: ${ins.recallPeriod}`);
  if (ins.instructions) lines.push(`Instructions: ${en(ins.instructions)}`);
  for (const s of ins.scales) {
    lines.push(
      `Scale ${s.id}: ${s.options.map((o) => `${o.value} = ${en(o.label)}`).join(', ')}${s.notApplicableLabel ? `; "${en(s.notApplicableLabel)}" (not applicable) where allowed` : ''}`,
    );
  }
  lines.push('Items:');
  for (const it of ins.items) {
    const flags = [
      it.reverse ? 'reverse' : '',
      it.notApplicable ? 'N/A allowed' : '',
      it.verified ? '' : 'wording UNVERIFIED',
      it.scored ? '' : 'not scored',
      it.showIf ? `shown if ${it.showIf}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `  ${it.id.padEnd(10)} ${en(it.text) || '(text from a text pack)'}${flags ? `  [${flags}]` : ''}`,
    );
  }
  lines.push('Scores:');
  for (const s of ins.scores) {
    lines.push(
      `  ${s.id}: ${en(s.label)} — ${s.description ?? `${s.method} of ${s.items.length} items`}${s.multiplier !== 1 ? `, × ${s.multiplier}` : ''}${s.minAnswered ? `, needs ${s.minAnswered} answered` : ''}${s.official ? '' : ' (not an official subscale)'}`,
    );
    if (s.bands) lines.push(`    bands: ${s.bands.map((b) => `${en(b.label)} ≥ ${b.min}`).join('; ')}`);
  }
  if (ins.endorsement)
    lines.push(`Endorsement: answer ≥ ${ins.endorsement.threshold} (${en(ins.endorsement.label)})`);
  for (const r of ins.safety) lines.push(`Safety rule ${r.id}: ${r.when} — ${r.description}`);
  for (const n of ins.notes) lines.push(`Note: ${n}`);
  return `${lines.join('\n')}\n`;
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  const [sub, id] = positionals;
  if (sub === 'list') {
    const rows = listInstruments().map((i) => [
      i.id,
      i.shortTitle,
      String(i.items.length),
      i.scores.map((s) => s.id).join(', '),
      i.licence.textIncluded ? 'yes' : 'text pack',
    ]);
    if (values.json)
      return void process.stdout.write(
        `${JSON.stringify(
          listInstruments().map((i) => ({
            id: i.id,
            title: en(i.title),
            items: i.items.length,
            textIncluded: i.licence.textIncluded,
          })),
          null,
          2,
        )}\n`,
      );
    const head = ['id', 'instrument', 'items', 'scores', 'text ships'];
    const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => at(r, c).length)));
    const fmt = (r: string[]) =>
      r
        .map((x, c) => x.padEnd(at(w, c)))
        .join('  ')
        .trimEnd();
    process.stdout.write(`${[fmt(head), fmt(w.map((n) => '-'.repeat(n))), ...rows.map(fmt)].join('\n')}\n`);
    process.stdout.write(
      `\nNot in the library:\n${OMITTED_INSTRUMENTS.map((o) => `  ${o.id}: ${o.reason}`).join('\n')}\n`,
    );
  } else if (sub === 'show') {
    if (!id) throw usageError('which instrument? e.g. nabz instruments show phq9', USAGE);
    const ins = isInstrumentFile(id) ? loadInstrumentFile(id) : getInstrument(id);
    if (!ins)
      throw new CliError(
        `"${id}" is not in the library; instruments: ${instrumentIds().join(', ')} (or give the path of an own instrument file, e.g. ./my-scale.instrument.json)`,
      );
    process.stdout.write(values.json ? `${JSON.stringify(ins, null, 2)}\n` : show(ins));
  } else {
    throw usageError(sub ? `unknown subcommand "${sub}"` : 'say list or show ID', USAGE);
  }
}
