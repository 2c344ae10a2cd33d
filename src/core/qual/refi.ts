/**
 * The REFI-QDA 1.0 exchange format as nabz writes and reads it: the namespaces, the variable names nabz reserves,
 * the heading of a merged code's target list, and the shapes both the writer (`render/qdpx/export.ts`) and the
 * reader (`import/qdpx.ts`) share. One place, so a name changed here changes in both directions.
 */

export const PROJECT_NS = 'urn:QDA-XML:project:1.0';
export const CODEBOOK_NS = 'urn:QDA-XML:codebook:1.0';
/** Reserved variable names (see render/qdpx/export.ts's module comment). */
export const SOURCE_LANGUAGE_VARIABLE = 'Source language';
export const PHASE_VARIABLE = 'Braun & Clarke phase';
export const SCREENING_PREFIX = 'Screening: ';
export const ELIGIBLE_VARIABLE = 'Screening eligible';

/** The heading of the list in a merged code's `Description` that names its target (`mergedCodes` on export). */
export const CONSENSUS_CODEBOOK_HEADING = 'Consensus codebook';

/** How selection positions are counted in the file. */
export type PositionUnit = 'codepoint' | 'utf16';

/** A transcript's recording to export (or as imported): its source, file name and bytes. */
export interface QdpxMedia {
  readonly sourceId: string;
  readonly name: string;
  readonly bytes: Uint8Array;
}
