/**
 * Consensus: the disagreement view and the consensus layer (core: src/core/qual/consensus.ts).
 *
 * `GET /consensus` lists, once the owner opened comparison, every passage where the compared coders differ,
 * per transcript and code, side by side with the text (filter by code, transcript and coders), with agreement
 * before consensus (among the coders) and after (each coder against the consensus, over the transcripts whose
 * consensus has started). `POST /consensus` records one decision — accept a coder's version, merge, or record
 * the passage as coded / not coded — as consensus segments, in one audited plan (`consensus.<decision>` plus a
 * `segment.create|delete` event per consensus segment). Owners and analysts: the view shows transcript text.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { compareCoders } from '../../core/qual/comparison.js';
import {
  agreedCoding,
  CONSENSUS_CODER,
  type ConsensusDecision,
  consensusSummary,
  disagreements,
  resolveConsensus,
} from '../../core/qual/consensus.js';
import { codePath, codesInTreeOrder, type QualProject, type Segment } from '../../core/qual/model.js';
import { OffsetIndex } from '../../core/qual/offsets.js';
import { isNotComputable, type NotComputable } from '../../core/stats/result.js';
import { type QualChange, type QualState, toQualProject } from '../../store/index.js';
import { HttpError } from '../errors.js';
import { parseQuery, queryList, queryText } from '../request.js';
import {
  applyPlan,
  bodyOf,
  esc,
  field,
  intField,
  invalid,
  loadQual,
  nameOfCoder,
  newId,
  nowIso,
  postButton,
  projectOf,
  QUAL_ROLES,
  type QualContext,
  qualBase,
  quoteRemovals,
  refuse,
  seeOther,
  sendQualPage,
  table,
} from './common.js';

const MAX_ROWS = 300;
const CONTEXT = 60;

function fmt(x: number | NotComputable, digits: number): string {
  return isNotComputable(x) ? '<span class="sup">not computable</span>' : x.toFixed(digits);
}

/** Coders who coded (never the consensus layer). */
function codersWhoCoded(project: QualProject): string[] {
  return project.coders
    .filter((c) => c.id !== CONSENSUS_CODER.id && project.segments.some((s) => s.coderId === c.id))
    .map((c) => c.id);
}

const ConsensusQuery = z.object({ coders: queryList, code: queryText, source: queryText });

/** The filters of the page (unknown coders, codes and transcripts are ignored: the page shows all). */
function filtersOf(
  project: QualProject,
  query: { coders: readonly string[]; code?: string | undefined; source?: string | undefined },
) {
  const all = codersWhoCoded(project);
  const asked = query.coders.filter((c) => all.includes(c));
  const coders = asked.length >= 2 ? asked : all;
  const usedCodes = new Set(
    project.segments.filter((s) => s.coderId !== CONSENSUS_CODER.id).flatMap((s) => s.codeIds),
  );
  const codable = codesInTreeOrder(project.codes).filter((c) => c.codable && usedCodes.has(c.id));
  const code = query.code;
  const codeIds = code && codable.some((c) => c.id === code) ? [code] : codable.map((c) => c.id);
  const source = query.source;
  const sourceIds = source && project.sources.some((s) => s.id === source) ? [source] : undefined;
  return { all, coders, codable, code: codeIds.length === 1 ? codeIds[0] : undefined, codeIds, sourceIds };
}

function backQuery(f: {
  coders: string[];
  code?: string | undefined;
  sourceIds?: string[] | undefined;
}): string {
  const p = new URLSearchParams();
  for (const c of f.coders) p.append('coders', c);
  if (f.code) p.set('code', f.code);
  if (f.sourceIds?.[0]) p.set('source', f.sourceIds[0]);
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function registerConsensus(app: FastifyInstance, ctx: QualContext): void {
  app.get('/studies/:id/qual/consensus', async (req, reply) => {
    const q = await loadQual(ctx, req, QUAL_ROLES.edit);
    const base = qualBase(q.study.id);
    if (!q.project.comparisonOpen)
      return sendQualPage(reply, {
        q,
        title: 'Consensus',
        section: 'consensus',
        body: () =>
          '<h1>Consensus</h1><p>Coding is blind. Consensus works on everyone’s coding: the owner opens comparison first (Coder comparison).</p>',
      });
    const { state, project } = await projectOf(ctx, { ...q, coderId: null });
    const query = parseQuery(req, ConsensusQuery);
    const f = filtersOf(project, {
      coders: query.coders,
      code: query.code || undefined,
      source: query.source || undefined,
    });
    const coderName = nameOfCoder(state);
    const codeName = (id: string) => codePath(project.codes, id).join(' › ');
    const started = new Set(state.project.doc.consensusSources);
    const form =
      `<form method="get" action="${base}/consensus" class="stack"><fieldset><legend>Coders compared</legend><div class="checks">${f.all
        .map(
          (c) =>
            `<label><input type="checkbox" name="coders" value="${esc(c)}"${f.coders.includes(c) ? ' checked' : ''}> ${esc(coderName(c))}</label>`,
        )
        .join('')}</div></fieldset>` +
      `<div class="row"><label for="code">Code</label><select id="code" name="code"><option value="">All codes</option>${f.codable
        .map(
          (c) =>
            `<option value="${esc(c.id)}"${c.id === f.code ? ' selected' : ''}>${esc(codeName(c.id))}</option>`,
        )
        .join(
          '',
        )}</select><label for="source">Transcript</label><select id="source" name="source"><option value="">All transcripts</option>${project.sources
        .map(
          (s) =>
            `<option value="${esc(s.id)}"${f.sourceIds?.[0] === s.id ? ' selected' : ''}>${esc(s.name)}</option>`,
        )
        .join('')}</select><button>Show</button></div></form>`;
    if (f.coders.length < 2 || f.codeIds.length === 0)
      return sendQualPage(reply, {
        q,
        title: 'Consensus',
        section: 'consensus',
        body: () =>
          `<h1>Consensus</h1>${form}<p>Nothing to compare yet: at least two coders need coded segments.</p>`,
      });
    const found = disagreements(project, { ...f, started });
    const sum = consensusSummary(found);
    // Agreement before (among the coders) and after (each coder against the consensus) consensus.
    const before = compareCoders(project, {
      coders: f.coders,
      codeIds: f.codeIds,
      unit: 'character',
      bootstrap: false,
    }).rows.at(-1)!;
    const startedProject = { ...project, sources: project.sources.filter((s) => started.has(s.id)) };
    const after = startedProject.sources.length
      ? f.coders.map((c) => {
          const r = compareCoders(startedProject, {
            coders: [c, CONSENSUS_CODER.id],
            codeIds: f.codeIds,
            unit: 'character',
            sources: 'all',
            bootstrap: false,
          }).rows.at(-1)!.two!;
          return [
            esc(coderName(c)),
            String(r.denominator.units),
            fmt(r.percentAgreement, 2),
            fmt(r.kappa, 3),
            fmt(r.gwetAc1, 3),
          ];
        })
      : [];
    const agreement =
      `<h2>Agreement before and after consensus</h2><p>Before: ${f.coders.length} coders, α = ${fmt(before.alpha.alpha, 3)}${before.two ? `, κ = ${fmt(before.two.kappa, 3)}, agreement ${fmt(before.two.percentAgreement, 2)}%` : ''} over ${before.alpha.denominator.units} character × code decisions (transcripts every compared coder coded, participants’ turns). Disagreements: ${sum.total}; decided by consensus: ${sum.decided}; open: ${sum.open}.</p>` +
      (after.length
        ? `<p>After: each coder against the consensus, over the ${startedProject.sources.length} transcript(s) whose consensus has started (every passage there has a consensus decision).</p>${table(['Coder', 'N', 'agreement %', 'κ', 'AC1'], after, { numeric: [1, 2, 3, 4] })}`
        : '<p>After: no consensus recorded yet.</p>');
    const version = state.project.version;
    const back = backQuery(f);
    const rows = found.slice(0, MAX_ROWS).map((d) => {
      const src = project.sources.find((s) => s.id === d.sourceId)!;
      const idx = new OffsetIndex(src.text);
      const n = idx.length;
      const passage = `<span class="muted">${esc(idx.slice(Math.max(0, d.start - CONTEXT), d.start))}</span><mark>${esc(idx.slice(d.start, d.end))}</mark><span class="muted">${esc(idx.slice(d.end, Math.min(n, d.end + CONTEXT)))}</span>`;
      const hidden = {
        coders: f.coders.join(','),
        source: d.sourceId,
        code: d.codeId,
        start: d.start,
        end: d.end,
        version,
        back,
      };
      const buttons = [
        ...f.coders.map((c) =>
          postButton(`${base}/consensus`, '{{csrf}}', `Accept ${coderName(c)}`, {
            ...hidden,
            decision: 'accept',
            coder: c,
          }),
        ),
        postButton(`${base}/consensus`, '{{csrf}}', 'Merge (coded)', {
          ...hidden,
          decision: 'merge',
          merge: f.coders.join(','),
        }),
        postButton(`${base}/consensus`, '{{csrf}}', 'Not coded', { ...hidden, decision: 'not_coded' }),
      ].join(' ');
      return [
        esc(src.name),
        esc(codeName(d.codeId)),
        `<div dir="auto" class="pre max24">${passage}</div><span class="hint">${d.start}–${d.end}</span>`,
        esc(d.codedBy.map(coderName).join(', ')),
        esc(d.notCodedBy.map(coderName).join(', ')),
        d.consensus === null ? '<span class="sup">not started</span>' : esc(d.consensus.replace('_', ' ')),
        buttons,
      ];
    });
    const custom =
      `<h2>Record a consensus coding</h2><form method="post" action="${base}/consensus" class="stack"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="version" value="${version}"><input type="hidden" name="back" value="${esc(back)}"><input type="hidden" name="coders" value="${esc(f.coders.join(','))}">` +
      `<div class="row"><label for="c-source">Transcript</label><select id="c-source" name="source">${project.sources.map((s) => `<option value="${esc(s.id)}">${esc(s.name)}</option>`).join('')}</select>` +
      `<label for="c-code">Code</label><select id="c-code" name="code">${f.codable.map((c) => `<option value="${esc(c.id)}">${esc(codeName(c.id))}</option>`).join('')}</select></div>` +
      '<div class="row"><label for="c-start">Start</label><input type="number" id="c-start" name="start" min="0" class="w8"><label for="c-end">End</label><input type="number" id="c-end" name="end" min="1" class="w8"></div>' +
      '<div class="checks"><label><input type="radio" name="decision" value="coded" checked> coded</label><label><input type="radio" name="decision" value="not_coded"> not coded</label></div>' +
      '<p><button>Record</button></p></form>';
    return sendQualPage(reply, {
      q,
      title: 'Consensus',
      section: 'consensus',
      body: (csrf) =>
        (
          `<h1>Consensus</h1><p class="hint">Passages where the compared coders differ for a code (one coded it, another did not; different codes on the same words show once per code). Resolve each by accepting one coder’s version, merging (coded wherever any coder coded it), or deciding “not coded”; the decisions form a separate consensus layer (coder “${CONSENSUS_CODER.name}”) that the theme quote picker and the QDPX export (consensus only) use. Every decision is in the audit trail.</p>` +
          form +
          agreement +
          `<h2>Disagreements (${found.length})</h2>` +
          (found.length
            ? table(
                ['Transcript', 'Code', 'Passage', 'Coded by', 'Not coded by', 'Consensus', 'Resolve'],
                rows,
              ) +
              (found.length > MAX_ROWS
                ? `<p class="hint">The first ${MAX_ROWS} are shown; filter by code or transcript to see the rest.</p>`
                : '')
            : '<p>The compared coders agree everywhere for these codes.</p>') +
          custom
        ).replaceAll('{{csrf}}', esc(csrf)),
    });
  });

  app.post('/studies/:id/qual/consensus', async (req, reply) => {
    const q = await loadQual(ctx, req, QUAL_ROLES.edit);
    const b = bodyOf(req);
    const sourceId = field(b, 'source');
    const codeId = field(b, 'code');
    const start = intField(b, 'start', 'Start');
    const end = intField(b, 'end', 'End');
    const kind = field(b, 'decision');
    const compared = field(b, 'coders').split(',').filter(Boolean);
    let decision: ConsensusDecision;
    if (kind === 'accept') decision = { kind, coderId: field(b, 'coder') };
    else if (kind === 'merge') decision = { kind, coders: field(b, 'merge').split(',').filter(Boolean) };
    else if (kind === 'coded' || kind === 'not_coded') decision = { kind };
    else
      throw new HttpError(
        400,
        `Unknown decision "${kind}": use "accept", "merge", "coded" or "not_coded".`,
        'validation',
      );
    await applyPlan(ctx, q, (state: QualState) => {
      if (!state.project.comparisonOpen)
        return refuse('invalid', 'Consensus works on everyone’s coding: the owner opens comparison first.');
      const project = toQualProject(state);
      const doc = state.project.doc;
      const starting = !doc.consensusSources.includes(sourceId);
      // A source's consensus starts from what every compared coder coded alike.
      const seeded = new Map<string, Segment>();
      if (starting) {
        const known = new Set(project.coders.map((c) => c.id));
        const bad = compared.find((c) => !known.has(c) || c === CONSENSUS_CODER.id);
        if (compared.length < 2 || bad !== undefined)
          return refuse(
            'invalid',
            `The compared coders (${compared.join(', ') || 'none'}) must be two or more coders of this project; reload the Consensus page.`,
          );
        for (const { codeId: c, ranges } of agreedCoding(project, sourceId, compared))
          for (const x of ranges) {
            const id = newId('cons');
            const s: Segment = {
              id,
              sourceId,
              ...x,
              codeIds: [c],
              coderId: CONSENSUS_CODER.id,
              createdAt: nowIso(),
            };
            seeded.set(id, s);
            project.segments.push(s);
          }
      }
      const r = resolveConsensus(project, { sourceId, codeId, start, end, decision });
      if (!r.ok) return invalid(r.issues, 'The consensus was not recorded: ');
      const changes: QualChange[] = [];
      if (!state.get('coder', CONSENSUS_CODER.id))
        changes.push({
          kind: 'coder',
          id: CONSENSUS_CODER.id,
          expect: 'new',
          data: { ...CONSENSUS_CODER, userId: null },
        });
      const removed = new Set(r.value.remove.map((s) => s.id));
      for (const s of seeded.values())
        if (!removed.has(s.id))
          changes.push({
            kind: 'segment',
            id: s.id,
            expect: 'new',
            data: s,
            audit: { action: 'consensus.agreed' },
          });
      for (const s of r.value.remove)
        if (!seeded.has(s.id)) changes.push({ kind: 'segment', id: s.id, expect: 'any', data: null });
      changes.push(...quoteRemovals(state, removed));
      for (const m of state.entities.memo)
        if (m.data.target.kind === 'segment' && removed.has(m.data.target.id))
          changes.push({ kind: 'memo', id: m.id, expect: 'any', data: null });
      for (const x of r.value.add) {
        const id = newId('cons');
        changes.push({
          kind: 'segment',
          id,
          expect: 'new',
          data: {
            id,
            sourceId,
            start: x.start,
            end: x.end,
            codeIds: [codeId],
            coderId: CONSENSUS_CODER.id,
            createdAt: nowIso(),
          },
        });
      }
      return {
        changes,
        ...(starting
          ? {
              project: {
                doc: { ...doc, consensusSources: [...doc.consensusSources, sourceId] },
                audit: {
                  action: 'consensus.start',
                  before: { consensusSources: doc.consensusSources },
                  after: { consensusSources: [...doc.consensusSources, sourceId] },
                },
              },
            }
          : {}),
        events: [
          {
            action: `consensus.${kind}`,
            entity: { kind: 'source', id: sourceId },
            after: {
              code: codeId,
              start,
              end,
              ...(decision.kind === 'accept' ? { coder: decision.coderId } : {}),
              ...(decision.kind === 'merge' ? { coders: decision.coders } : {}),
              consensus: r.value.after,
              ...(starting ? { started: true, compared } : {}),
            },
          },
        ],
        result: null,
      };
    });
    const back = field(b, 'back');
    return seeOther(reply, `${qualBase(q.study.id)}/consensus${/^\?[\w.~%=&+-]*$/.test(back) ? back : ''}`);
  });
}
