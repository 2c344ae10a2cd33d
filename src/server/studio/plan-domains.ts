/**
 * The study's own domains (`instruments[i].domains`) edited with forms on the Analysis plan page (plan.ts routes
 * them): scores over an instrument's items beside its official scores, e.g. the three 10-item BACE domains of a
 * published study. One form per instrument of the study: id, label, the items ticked, the method (sum, mean,
 * prorated sum), the fewest answered items and a description for the methods section; each domain listed with a
 * Remove button. A domain is checked with the core ScoreSchema (always `official: false`), then the whole
 * definition (a score id used twice, an item of another instrument) before it is saved. A domain that the plan
 * still names (a threshold, model, association or correlation) cannot be removed: the whole-definition check
 * names where it is used.
 */
import type { Issue } from '../../core/instrument/schema.js';
import { ScoreSchema } from '../../core/instrument/schema.js';
import { shortLabel } from '../../core/study/questions.js';
import type { ResolvedStudy } from '../../core/study/resolve.js';
import { type Html, html, raw } from '../ui/html.js';
import { type Fields, field, type StudyDraft } from './definition.js';
import { checkGroup, input, select } from './forms.js';
import {
  type Change,
  errorsFor,
  fieldStates,
  kept,
  keptAll,
  numberField,
  type PlanError,
  schemaIssues,
  ticked,
} from './plan-form.js';

const METHODS = {
  mean: 'Mean of the answered items',
  sum: 'Sum (needs the fewest answered items below, default all)',
  prorated_sum: 'Prorated sum: mean of the answered items × number of items',
} as const;

/** The draft's entry of the instrument posted (`instrument` = its id), or an issue naming it. */
function instrumentEntry(
  draft: StudyDraft,
  id: string,
): { ok: true; entry: Record<string, unknown>; index: number } | { ok: false; issues: Issue[] } {
  const list = (Array.isArray(draft.instruments) ? draft.instruments : []) as Record<string, unknown>[];
  const index = list.findIndex(
    (si) => si.instrument === id || (si.definition as { id?: unknown } | undefined)?.id === id,
  );
  const entry = list[index];
  if (!entry)
    return {
      ok: false,
      issues: [
        {
          path: 'instruments.domains.instrument',
          code: 'unknown',
          message: `"${id}" is not an instrument of this study`,
        },
      ],
    };
  return { ok: true, entry, index };
}

export function domains(draft: StudyDraft, fields: Fields, resolved: ResolvedStudy): Change {
  const instrument = field(fields, 'instrument');
  const found = instrumentEntry(draft, instrument);
  if (!found.ok) return found;
  const list = (Array.isArray(found.entry.domains) ? found.entry.domains : []) as Record<string, unknown>[];
  found.entry.domains = list;
  const id = field(fields, 'id');
  if (field(fields, 'action') === 'remove') {
    const at = list.findIndex((d) => d.id === id);
    if (at < 0)
      return {
        ok: false,
        issues: [{ path: 'id', code: 'unknown', message: `there is no domain "${id}" of ${instrument}` }],
      };
    list.splice(at, 1);
    return { ok: true, change: 'plan.domain.remove', detail: { instrument, domain: id } };
  }
  const issues: Issue[] = [];
  if (resolved.scoreIds.has(id))
    issues.push({
      path: 'instruments.domains.id',
      code: 'duplicate',
      message: `there is already a score "${id}"; choose another id or remove that domain first`,
    });
  const minAnswered = numberField(fields, 'minAnswered', 'instruments.domains.minAnswered', issues);
  const items = ticked(
    fields,
    'items',
    'instruments.domains.items',
    'tick the items the domain is computed from',
    issues,
  );
  const label = field(fields, 'label');
  const description = field(fields, 'description');
  const language = resolved.study.languages.includes('en') ? 'en' : (resolved.study.languages[0] ?? 'en');
  const domain: Record<string, unknown> = {
    id,
    label: label ? { [language]: label } : {},
    items,
    method: field(fields, 'method'),
    ...(minAnswered !== undefined ? { minAnswered } : {}),
    official: false,
    ...(description ? { description } : {}),
  };
  if (!issues.length)
    issues.push(
      ...schemaIssues(ScoreSchema, domain, 'instruments.domains', {
        id: 'letters, digits and _, starting with a letter, e.g. stigma',
        label: 'type the name the tables show, e.g. Stigma-related barriers',
        method: `choose ${Object.keys(METHODS).join(', ')}`,
        minAnswered: 'type a whole number of items, at least 1, or leave it empty',
      }),
    );
  if (!label && !issues.some((i) => i.path === 'instruments.domains.label'))
    issues.push({
      path: 'instruments.domains.label',
      code: 'required',
      message: 'type the name the tables show, e.g. Stigma-related barriers',
    });
  if (issues.length) return { ok: false, issues };
  list.push(domain);
  return {
    ok: true,
    change: 'plan.domain.add',
    detail: { instrument, domain: id, items: items.length, method: domain.method },
  };
}

/** One form per instrument: its study domains listed (with Remove) and a form to add one. */
export function renderDomains(base: string, resolved: ResolvedStudy, token: Html, err?: PlanError): Html {
  const forms = resolved.instruments.map((ins, i) => {
    const own = resolved.study.instruments[i]?.domains ?? [];
    const mine = err?.section === 'domains' && field(err.fields, 'instrument') === ins.id ? err : undefined;
    const fs = fieldStates(mine, 'domains');
    const p = `pd-${ins.id}`;
    const ticked = keptAll(mine, 'domains', 'items', []);
    const rows = own.map(
      (d) =>
        html`<li><strong>${d.id}</strong>: ${Object.values(d.label)[0] ?? d.id} — ${d.method} of ${d.items.join(', ')}
<form method="post" action="${base}/domains" class="inline">${token}<input type="hidden" name="action" value="remove"><input type="hidden" name="instrument" value="${ins.id}"><input type="hidden" name="id" value="${d.id}"><button class="link">Remove</button></form></li>`,
    );
    return html`<h3>${ins.shortTitle}</h3>
${rows.length ? html`<ul>${rows}</ul>` : html`<p class="muted">No study domains of ${ins.shortTitle}; its official scores are used.</p>`}
<details${mine ? raw(' open') : ''}><summary>Add a domain of ${ins.shortTitle}</summary>
<form method="post" action="${base}/domains" class="stack">${token}<input type="hidden" name="instrument" value="${ins.id}">${errorsFor(mine, 'domains')}
${input(p, 'id', 'Domain id', kept(mine, 'domains', 'id', ''), { hint: 'Letters, digits and _, e.g. stigma. The plan names the domain by it.', required: true, state: fs('id') })}
${input(p, 'label', 'Label', kept(mine, 'domains', 'label', ''), { hint: 'The name the tables show, e.g. Stigma-related barriers.', state: fs('label') })}
${checkGroup(
  p,
  'items',
  'Items',
  ins.items.map((it) => ({
    value: it.id,
    label: `${it.id}: ${shortLabel(it)}`,
    on: ticked.includes(it.id),
  })),
  fs('items'),
)}
${select(
  p,
  'method',
  'Score',
  kept(mine, 'domains', 'method', 'mean'),
  Object.entries(METHODS).map(([value, label]) => ({ value, label })),
  undefined,
  fs('method'),
)}
${input(p, 'minAnswered', 'Fewest answered items (optional)', kept(mine, 'domains', 'minAnswered', ''), { hint: 'Fewer answered items give a missing score. Empty: all for a sum, 1 otherwise.', state: fs('minAnswered') })}
${input(p, 'description', 'Description for the methods (optional)', kept(mine, 'domains', 'description', ''), { placeholder: 'e.g. mean of items 3, 8 and 12 (0–3), as grouped by Jalil et al.', state: fs('description') })}
<div><button class="primary">Add domain</button></div></form></details>`;
  });
  // a post naming no instrument of the study has no form to show its problem at
  const stray =
    err?.section === 'domains' && !resolved.instruments.some((x) => x.id === field(err.fields, 'instrument'))
      ? err
      : undefined;
  return html`<section id="domains" class="card"><h2>Study domains</h2>
<p class="hint">Scores of your own over an instrument's items, beside its official scores (reported as study-defined, not official). The plan's thresholds, models, associations and correlations can name them.</p>
${errorsFor(stray, 'domains')}${forms.length ? forms : html`<p class="muted">No instruments.</p>`}</section>`;
}
