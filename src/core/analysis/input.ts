/** What every section builder of the analysis reads: the resolved study, its data and scores. */
import type { Dataset } from '../response/dataset.js';
import type { ScoredDataset } from '../scoring/score.js';
import type { ResolvedStudy } from '../study/resolve.js';

export interface AnalysisInput {
  readonly resolved: ResolvedStudy;
  readonly dataset: Dataset;
  readonly scored: ScoredDataset;
  /** Program and version, e.g. "nabz 0.1.0". */
  readonly generatedBy: string;
  /** Overrides the plan's `minCellSize` (the server passes the study's k). */
  readonly minCellSize?: number;
  /** Group variables to compare by; default the plan's `groupBy`. */
  readonly groupBy?: readonly string[];
  /**
   * Respondents analysed per recruitment wave (0 = the study link, 1 = referred by a wave-0 respondent, …),
   * for the methods' recruitment sentence; absent when the study uses no referral links.
   */
  readonly waves?: readonly { readonly wave: number; readonly n: number }[];
  /** A follow-up wave of a screening study (issue 14): its name, for the methods' confidentiality sentence. */
  readonly followUpWave?: string;
  readonly language?: string;
}
