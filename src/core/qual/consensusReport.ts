/**
 * What the Consensus page reports, computed once: the disagreements (per passage and per speaker turn) of the
 * compared coders for the chosen codes, how many have a consensus decision, and the agreement
 *
 * - **before** consensus: as recorded when the first consensus step was taken (`AgreementBaseline`: every
 *   coder who coded, every code they used, their own codebooks); until then, the same figure now;
 * - **now**: the compared coders among themselves on the consensus codebook (merged codes count as one), for
 *   the chosen codes;
 * - **after**: each compared coder against the consensus layer, over the transcripts whose consensus started.
 *
 * The project passed in is read through the consensus codebook (`consensusCodebook`) by the caller.
 */
import type { Cell, Row, TableSpec } from '../report/spec.js';
import { isNotComputable, type NotComputable } from '../stats/result.js';
import { type AgreementBaseline, agreementBaseline } from './codebook.js';
import { compareCoders, pooledRow, twoCoderRow } from './comparison.js';
import {
  CONSENSUS_CODER,
  type CodingDisagreement,
  consensusSummary,
  type DisagreementOptions,
  disagreements,
  type TurnDisagreement,
  turnDisagreements,
} from './consensus.js';
import type { QualProject } from './model.js';

const value = (x: number | NotComputable): number | null => (isNotComputable(x) ? null : x);

export interface AgreementFigures {
  readonly units: number;
  readonly alpha: number | null;
  /** Two coders only. */
  readonly kappa?: number | null | undefined;
  readonly percentAgreement?: number | null | undefined;
}

export interface ConsensusReport {
  readonly passages: readonly CodingDisagreement[];
  readonly turns: readonly TurnDisagreement[];
  readonly summary: ReturnType<typeof consensusSummary>;
  /** Recorded (`recorded: true`) or, before the first step, computed now. Null with fewer than two coders. */
  readonly before: (AgreementBaseline & { readonly recorded: boolean }) | null;
  readonly now: AgreementFigures;
  readonly after: readonly {
    readonly coderId: string;
    readonly units: number;
    readonly percentAgreement: number | null;
    readonly kappa: number | null;
    readonly ac1: number | null;
  }[];
  /** Transcripts whose consensus has started (the "after" figures are over these). */
  readonly startedSources: number;
}

export function consensusReport(
  project: QualProject,
  opts: DisagreementOptions & { readonly baseline?: AgreementBaseline | undefined; readonly at: string },
): ConsensusReport {
  const passages = disagreements(project, opts);
  const live = agreementBaseline(project, opts.at);
  const row = pooledRow(
    compareCoders(project, {
      coders: opts.coders,
      codeIds: opts.codeIds,
      unit: 'character',
      bootstrap: false,
    }),
  );
  const started = { ...project, sources: project.sources.filter((s) => opts.started.has(s.id)) };
  const after = started.sources.length
    ? opts.coders.map((coderId) => {
        const r = twoCoderRow(
          pooledRow(
            compareCoders(started, {
              coders: [coderId, CONSENSUS_CODER.id],
              codeIds: opts.codeIds,
              unit: 'character',
              sources: 'all',
              bootstrap: false,
            }),
          ),
        );
        return {
          coderId,
          units: r.denominator.units,
          percentAgreement: value(r.percentAgreement),
          kappa: value(r.kappa),
          ac1: value(r.gwetAc1),
        };
      })
    : [];
  return {
    passages,
    turns: turnDisagreements(project, opts),
    summary: consensusSummary(passages),
    before: opts.baseline ? { ...opts.baseline, recorded: true } : live ? { ...live, recorded: false } : null,
    now: {
      units: row.alpha.denominator.units,
      alpha: value(row.alpha.alpha),
      ...(row.two ? { kappa: value(row.two.kappa), percentAgreement: value(row.two.percentAgreement) } : {}),
    },
    after,
    startedSources: started.sources.length,
  };
}

const num = (x: number | null | undefined, digits: number): Cell =>
  x === null
    ? { kind: 'not_computable', reason: 'not computable (no variation to agree on)' }
    : x === undefined
      ? { kind: 'empty' }
      : { kind: 'number', value: x, format: { kind: 'decimal', digits } };
const int = (n: number): Cell => ({ kind: 'number', value: n, format: { kind: 'integer' } });
const txt = (text: string): Cell => ({ kind: 'text', text });

/**
 * Agreement before and after consensus as a report table (CSV, Word) for the methods section: before
 * (recorded), now (consensus codebook) and each coder against the consensus, with their denominators.
 */
export function consensusAgreementTable(
  r: ConsensusReport,
  names: { coder: (id: string) => string },
  compared: readonly string[],
): TableSpec {
  const rows: Row[] = [];
  const b = r.before;
  if (b)
    rows.push({
      kind: 'data',
      cells: {
        stage: txt(
          `Before consensus: coders' own codebooks (${b.codes} codes)${b.recorded ? `, recorded ${b.at.slice(0, 10)}` : ''}`,
        ),
        coders: txt(b.coders.map(names.coder).join(', ')),
        n: int(b.units),
        alpha: num(b.alpha, 3),
        kappa: num(b.kappa, 3),
        agreement: num(b.percentAgreement, 2),
        ac1: { kind: 'empty' },
      },
    });
  rows.push({
    kind: 'data',
    cells: {
      stage: txt('Now: consensus codebook, coders among themselves'),
      coders: txt(compared.map(names.coder).join(', ')),
      n: int(r.now.units),
      alpha: num(r.now.alpha, 3),
      kappa: num(r.now.kappa, 3),
      agreement: num(r.now.percentAgreement, 2),
      ac1: { kind: 'empty' },
    },
  });
  for (const a of r.after)
    rows.push({
      kind: 'data',
      cells: {
        stage: txt('After: coder against the consensus'),
        coders: txt(names.coder(a.coderId)),
        n: int(a.units),
        alpha: { kind: 'empty' },
        kappa: num(a.kappa, 3),
        agreement: num(a.percentAgreement, 2),
        ac1: num(a.ac1, 3),
      },
    });
  const dec = (digits: number) => ({ kind: 'decimal' as const, digits });
  return {
    type: 'table',
    id: 'qualConsensusAgreement',
    title: 'Inter-coder agreement before and after consensus, by characters',
    columns: [
      { key: 'stage', label: 'Stage', format: { kind: 'text' } },
      { key: 'coders', label: 'Coders', format: { kind: 'text' } },
      { key: 'n', label: 'N', format: { kind: 'integer' } },
      { key: 'alpha', label: 'α (Krippendorff)', format: dec(3) },
      { key: 'kappa', label: 'κ (Cohen)', format: dec(3) },
      { key: 'agreement', label: 'Agreement %', format: dec(2) },
      { key: 'ac1', label: 'AC1 (Gwet)', format: dec(3) },
    ],
    rows,
    denominator:
      'N = character × code decisions: before and now, in transcripts every compared coder coded (participants’ turns); after, in the transcripts whose consensus has started.',
    notes: [
      'Before consensus is recorded when the first consensus step is taken (codebook merge or split, or a consensus decision): every coder who coded, every code they used, pooled. κ and agreement are given for two coders.',
      `Disagreements (passages where the compared coders differ): ${r.summary.total}; decided by consensus: ${r.summary.decided}; open: ${r.summary.open}.`,
    ],
  };
}
