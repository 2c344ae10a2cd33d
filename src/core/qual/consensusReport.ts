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
import { isNotComputable, type NotComputable } from '../stats/result.js';
import { type AgreementBaseline, agreementBaseline } from './codebook.js';
import { compareCoders } from './comparison.js';
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
  const row = compareCoders(project, {
    coders: opts.coders,
    codeIds: opts.codeIds,
    unit: 'character',
    bootstrap: false,
  }).rows.at(-1)!;
  const started = { ...project, sources: project.sources.filter((s) => opts.started.has(s.id)) };
  const after = started.sources.length
    ? opts.coders.map((coderId) => {
        const r = compareCoders(started, {
          coders: [coderId, CONSENSUS_CODER.id],
          codeIds: opts.codeIds,
          unit: 'character',
          sources: 'all',
          bootstrap: false,
        }).rows.at(-1)!.two!;
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
