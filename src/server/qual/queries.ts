/**
 * The queries page (`GET /studies/:id/qual/queries`): load the visible project, compute the queries in core
 * (src/core/qual/queries.ts, with the study's k for a viewer and none for roles that read the transcripts),
 * and render {@link queriesView}. "All segments of a code" lists quotes with pseudonyms: owner and analyst only.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audienceOf, suppressionReason } from '../../core/privacy/suppression.js';
import { codePath } from '../../core/qual/model.js';
import {
  type AttributeMatrix,
  attributeMatrix,
  attributeNames,
  type Cooccurrence,
  cooccurrence,
  type ParticipantCount,
  queryCodes,
  type WordFrequency,
  wordFrequency,
} from '../../core/qual/queries.js';
import { formatQuote, quoteOf } from '../../core/qual/results.js';
import { at } from '../../core/stats/at.js';
import { ROLES } from '../auth/guard.js';
import { parseQuery, queryText } from '../request.js';
import { type Html, html } from '../ui/html.js';
import { dataTable } from '../ui/table.js';
import { loadQual, projectOf, type QualContext, qualBase, sendQualPage } from './common.js';

interface QueriesModel {
  readonly base: string;
  /** The reader sees exact counts (k = 0); otherwise counts 1 … k − 1 are suppressed. */
  readonly exact: boolean;
  readonly k: number;
  /** Whose segments the counts come from. */
  readonly scope: 'own' | 'all' | 'all-once-open';
  readonly attributes: readonly string[];
  readonly matrix: AttributeMatrix | undefined;
  readonly cooccurrence: Cooccurrence;
  readonly words: WordFrequency;
  /** All segments of one code (owner and analyst only). */
  readonly segments?: {
    readonly codes: readonly { readonly id: string; readonly path: string }[];
    readonly codeId: string | undefined;
    readonly quotes: readonly { readonly text: string; readonly source: string; readonly coder: string }[];
  };
}

const QueriesQuery = z.object({ attribute: queryText, code: queryText });

export function registerQueries(app: FastifyInstance, ctx: QualContext): void {
  app.get('/studies/:id/qual/queries', async (req, reply) => {
    const q = await loadQual(ctx, req, ROLES.read);
    const { project } = await projectOf(ctx, q);
    const exact = audienceOf(q.role) === 'exact';
    const k = exact ? 0 : q.study.minCellSize;
    const query = parseQuery(req, QueriesQuery);
    const attributes = attributeNames(project);
    const attribute =
      query.attribute !== undefined && attributes.includes(query.attribute) ? query.attribute : attributes[0];
    const codes = queryCodes(project);
    let segments: QueriesModel['segments'];
    if (q.editor) {
      const codeId =
        query.code !== undefined && codes.some((c) => c.id === query.code) ? query.code : codes[0]?.id;
      const names = new Map(project.coders.map((c) => [c.id, c.name]));
      segments = {
        codes: codes.map((c) => ({ id: c.id, path: codePath(project.codes, c.id).join(' › ') })),
        codeId,
        quotes: project.segments
          .filter((s) => codeId !== undefined && s.codeIds.includes(codeId))
          .map((s) => ({
            text: formatQuote(quoteOf(project, s)),
            source: project.sources.find((x) => x.id === s.sourceId)?.name ?? s.sourceId,
            coder: names.get(s.coderId) ?? s.coderId,
          })),
      };
    }
    const model: QueriesModel = {
      base: qualBase(q.study.id),
      exact,
      k,
      scope: q.editor && !q.project.comparisonOpen ? 'own' : q.editor ? 'all' : 'all-once-open',
      attributes,
      matrix: attribute === undefined ? undefined : attributeMatrix(project, attribute, k),
      cooccurrence: cooccurrence(project, k),
      words: wordFrequency(project, k),
      ...(segments ? { segments } : {}),
    };
    return sendQualPage(reply, {
      q,
      title: 'Queries',
      section: 'queries',
      body: () => queriesView(model),
    });
  });
}

/** A count of participants; a suppressed one as "<k" with the reason. */
function countCell(c: ParticipantCount | null, k: number): Html | string {
  if (c === null) return '—';
  if (c.suppressed)
    return html`<span class="sup" title="${suppressionReason(k, 'participants')}">&lt;${k}</span>`;
  return String(c.n);
}

const SCOPE_TEXT: Record<QueriesModel['scope'], string> = {
  own: 'your own segments (coding is blind)',
  all: 'all coders’ segments',
  'all-once-open': 'all coders’ segments once comparison is open',
};

function queriesView(m: QueriesModel): Html {
  const { k } = m;
  const policy = m.exact
    ? 'You read the transcripts, so counts are exact; viewers see counts from 1 to k − 1 as “<k” and no attribute value held by fewer than k participants'
    : `Counts from 1 to ${k - 1} are shown as “<${k}” and attribute values held by fewer than ${k} participants are not shown (the study’s minimum cell size k = ${k})`;
  return html`<h1>Queries</h1><p class="hint">Counts are participants, from ${SCOPE_TEXT[m.scope]}. ${policy}.</p><h2>Code × participant attribute</h2>${matrixView(m)}<h2>Code co-occurrence</h2><p class="hint">Participants in whose turns the two codes overlap.</p>${
    m.cooccurrence.codes.length
      ? dataTable(
          ['', ...m.cooccurrence.codes.map((c) => c.name)],
          m.cooccurrence.codes.map((r, i) => [
            r.name,
            ...at(m.cooccurrence.cells, i).map((c) => countCell(c, k)),
          ]),
          { numeric: m.cooccurrence.codes.map((_, i) => i + 1) },
        )
      : html`<p>No codes yet.</p>`
  }<h2>Word frequency (participants’ turns)</h2>${
    m.words.shown.length
      ? dataTable(
          ['Word', 'Times', 'Participants'],
          m.words.shown.map((w) => [html`<span dir="auto">${w.word}</span>`, w.times, w.participants]),
          { numeric: [1, 2] },
        )
      : html`<p>No word is used by enough participants to show.</p>`
  }${m.words.hidden ? html`<p class="hint">${m.words.hidden} word(s) used by fewer than ${k} participants are not shown.</p>` : ''}${segmentsView(m)}`;
}

function matrixView(m: QueriesModel): Html {
  const x = m.matrix;
  if (!x) return html`<p>No participant attributes yet.</p>`;
  return html`<form method="get" action="${m.base}/queries" class="row"><label for="attribute">Attribute</label><select id="attribute" name="attribute">${m.attributes.map(
    (a) => html`<option${a === x.attribute ? html` selected` : ''}>${a}</option>`,
  )}</select><button>Show</button></form>${dataTable(
    ['Code', ...x.values.map((v) => `${x.attribute} = ${v.value} (of ${v.participants})`)],
    x.rows.map((r) => [r.path, ...r.cells.map((c) => countCell(c, m.k))]),
    { numeric: x.values.map((_, i) => i + 1) },
  )}${x.hiddenValues ? html`<p class="hint">Values of ${x.attribute} held by ${suppressionReason(m.k, 'participants')} are not shown.</p>` : ''}`;
}

function segmentsView(m: QueriesModel): Html | '' {
  const s = m.segments;
  if (!s) return '';
  if (!s.codes.length) return html`<h2>All segments of a code</h2><p>No codes yet.</p>`;
  const attribute = m.matrix?.attribute;
  return html`<h2>All segments of a code</h2><form method="get" action="${m.base}/queries" class="row">${
    attribute ? html`<input type="hidden" name="attribute" value="${attribute}">` : ''
  }<label for="code">Code</label><select id="code" name="code">${s.codes.map(
    (c) => html`<option value="${c.id}"${c.id === s.codeId ? html` selected` : ''}>${c.path}</option>`,
  )}</select><button>Show</button></form>${
    s.quotes.length
      ? s.quotes.map(
          (x) =>
            html`<blockquote class="quote" dir="auto">${x.text}<br><span class="muted">${x.source} · ${x.coder}</span></blockquote>`,
        )
      : html`<p>No segments with this code.</p>`
  }`;
}
