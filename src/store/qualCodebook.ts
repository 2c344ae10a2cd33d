/**
 * The consensus codebook's writes (core: src/core/qual/codebook.ts): merge codes, undo a merge, split a code.
 * Each is one plan of {@link QualRepo.apply}: the project locked, the core decides on the full state, the
 * changed codes and segments and their audit events written in one transaction with the actor — or nothing.
 *
 * Every step also records, once, the agreement before consensus (`ProjectDoc.consensusBaseline`, event
 * `consensus.baseline`), and its own audit event carries the pooled agreement among the coders (consensus
 * codebook) before and after the step.
 */
import {
  type AgreementBaseline,
  agreementBaseline,
  consensusCodebook,
  type MergeInput,
  type MergeResult,
  mergeCodes,
  type SplitInput,
  type SplitResult,
  splitCode,
  type UnsplitResult,
  unmergeCode,
  unsplitCode,
} from '../core/qual/codebook.js';
import type { Code, QualProject, Segment } from '../core/qual/model.js';
import { done, type Outcome, type Refused, refused } from './errors.js';
import type { ProjectDoc, QualActor, QualChange, QualPlan, QualRefusal, QualState } from './qual.js';

/** `QualRepo.apply`. */
type Apply = <T>(
  projectId: number,
  actor: QualActor,
  plan: (state: QualState) => QualPlan<T> | Refused<QualRefusal>,
  options?: { now?: Date },
) => Promise<Outcome<{ result: T }, QualRefusal>>;

/** The project change that records the agreement before consensus, when it is not recorded yet. */
function baselinePlan(
  state: QualState,
  project: QualProject,
  at: string,
  doc: ProjectDoc = state.project.doc,
): QualPlan<null>['project'] | undefined {
  if (doc.consensusBaseline) return undefined;
  const baseline = agreementBaseline(project, at);
  if (!baseline) return undefined;
  return {
    doc: { ...doc, consensusBaseline: baseline },
    audit: { action: 'consensus.baseline', before: null, after: baseline },
  };
}

function agreementNow(project: QualProject, at: string): Omit<AgreementBaseline, 'at'> | null {
  const b = agreementBaseline(project, at);
  if (!b) return null;
  const { at: _at, ...rest } = b;
  return rest;
}

/** A step's own audit event: what it did and the pooled agreement among the coders before and after it. */
function stepEvent(
  action: string,
  codeId: string,
  before: QualProject,
  after: QualProject,
  at: string,
  details: Record<string, unknown>,
) {
  return {
    action,
    entity: { kind: 'code', id: codeId },
    after: {
      ...details,
      agreementBefore: agreementNow(consensusCodebook(before), at),
      agreementAfter: agreementNow(consensusCodebook(after), at),
    },
  };
}

/** The project with some segments rewritten. */
function withSegments(project: QualProject, segments: readonly Segment[]): QualProject {
  const byId = new Map(segments.map((s) => [s.id, s]));
  return { ...project, segments: project.segments.map((s) => byId.get(s.id) ?? s) };
}

/** The rewritten segments as changes, each audited with its codes before and after. */
function segmentChanges(state: QualState, segments: readonly Segment[], action: string): QualChange[] {
  return segments.map((s) => ({
    kind: 'segment',
    id: s.id,
    expect: 'any',
    data: s,
    audit: {
      action,
      before: { codeIds: state.get('segment', s.id)?.data.codeIds ?? [] },
      after: { codeIds: s.codeIds },
    },
  }));
}

function refusedIssues(issues: readonly { message: string }[]): Refused<QualRefusal> {
  return refused('invalid', issues.map((i) => i.message).join(' '));
}

export function codebookMethods(apply: Apply, toProject: (state: QualState) => QualProject) {
  const step = <T>(
    projectId: number,
    actor: QualActor,
    options: { now?: Date },
    plan: (state: QualState, project: QualProject, at: string) => QualPlan<T> | Refused<QualRefusal>,
  ): Promise<Outcome<T, QualRefusal>> => {
    const at = (options.now ?? new Date()).toISOString();
    return apply(
      projectId,
      actor,
      (state) => {
        if (!state.project.comparisonOpen)
          return refused(
            'invalid',
            'The consensus codebook works on every coder’s codes: the owner opens comparison first (Coder comparison).',
          );
        return plan(state, toProject(state), at);
      },
      options,
    ).then((r) => (r.ok ? done(r.value.result) : r));
  };

  /** The code rows a step writes, with their audit actions. */
  const codeChange = (state: QualState, code: Code, action: string, before: unknown): QualChange => ({
    kind: 'code',
    id: code.id,
    expect: state.get('code', code.id) ? 'any' : 'new',
    data: code,
    audit: { action, before, after: code },
  });

  return {
    /**
     * Merge codes into one code of the consensus codebook (an existing code or a new one). The merged codes
     * keep their codings; `consensusCodebook` counts them as the target's.
     */
    mergeCodes(
      projectId: number,
      actor: QualActor,
      input: MergeInput,
      options: { now?: Date } = {},
    ): Promise<Outcome<MergeResult, QualRefusal>> {
      return step(projectId, actor, options, (state, project, at) => {
        const r = mergeCodes(project, input);
        if (!r.ok) return refusedIssues(r.issues);
        const { target, merged, created } = r.value;
        const after: QualProject = {
          ...project,
          codes: [
            ...project.codes.map(
              (c) => merged.find((m) => m.id === c.id) ?? (c.id === target.id ? target : c),
            ),
            ...(created ? [target] : []),
          ],
        };
        const old = state.get('code', target.id)?.data;
        const changes: QualChange[] = [];
        if (created || old?.createdBy !== undefined)
          changes.push(codeChange(state, target, created ? 'code.create' : 'codebook.share', old ?? null));
        for (const m of merged)
          changes.push(codeChange(state, m, 'codebook.merge', state.get('code', m.id)?.data ?? null));
        const base = baselinePlan(state, project, at);
        return {
          changes,
          ...(base ? { project: base } : {}),
          events: [
            stepEvent('codebook.merge', target.id, project, after, at, {
              into: target.name,
              merged: merged.map((m) => ({ id: m.id, name: m.name, createdBy: m.createdBy ?? null })),
            }),
          ],
          result: r.value,
        };
      });
    },

    /** Undo a merge: the code is in the consensus codebook again. */
    unmergeCode(
      projectId: number,
      actor: QualActor,
      codeId: string,
      options: { now?: Date } = {},
    ): Promise<Outcome<Code, QualRefusal>> {
      return step(projectId, actor, options, (state, project) => {
        const r = unmergeCode(project, codeId);
        if (!r.ok) return refusedIssues(r.issues);
        return {
          changes: [codeChange(state, r.value, 'codebook.unmerge', state.get('code', codeId)?.data ?? null)],
          result: r.value,
        };
      });
    },

    /**
     * Split a code: the chosen passages (every coder's and the consensus's segments in them) go to a new code.
     * The agreement before consensus is recorded first if it is not yet.
     */
    splitCode(
      projectId: number,
      actor: QualActor,
      input: SplitInput,
      options: { now?: Date } = {},
    ): Promise<Outcome<SplitResult, QualRefusal>> {
      return step(projectId, actor, options, (state, project, at) => {
        const r = splitCode(project, input);
        if (!r.ok) return refusedIssues(r.issues);
        const after = withSegments({ ...project, codes: [...project.codes, r.value.code] }, r.value.segments);
        const changes: QualChange[] = [
          { kind: 'code', id: r.value.code.id, expect: 'new', data: r.value.code },
          ...segmentChanges(state, r.value.segments, 'codebook.split_segment'),
        ];
        const base = baselinePlan(state, project, at);
        const from = project.codes.find((c) => c.id === input.codeId);
        if (!from)
          throw new Error(
            `internal: code ${input.codeId} was split but is not in the project; this is a bug in nabz.`,
          );
        return {
          changes,
          ...(base ? { project: base } : {}),
          events: [
            stepEvent('codebook.split', from.id, project, after, at, {
              code: from.name,
              newCode: r.value.code.name,
              moved: r.value.moved.map((x) => x.key),
              kept: r.value.kept.map((x) => x.key),
            }),
          ],
          result: r.value,
        };
      });
    },

    /**
     * Undo a split: the split-off code's segments (every coder's and the consensus's) carry the code it came from
     * again and the code goes, audited in the same transaction. Refused while later steps depend on it.
     */
    unsplitCode(
      projectId: number,
      actor: QualActor,
      codeId: string,
      options: { now?: Date } = {},
    ): Promise<Outcome<UnsplitResult, QualRefusal>> {
      return step(projectId, actor, options, (state, project, at) => {
        const r = unsplitCode(project, codeId);
        if (!r.ok) return refusedIssues(r.issues);
        const { code, into, segments } = r.value;
        const after = withSegments(
          { ...project, codes: project.codes.filter((c) => c.id !== code.id) },
          segments,
        );
        const changes: QualChange[] = [
          ...segmentChanges(state, segments, 'codebook.unsplit_segment'),
          {
            kind: 'code',
            id: code.id,
            expect: 'any',
            data: null,
            audit: { action: 'codebook.unsplit_code', before: code, after: null },
          },
        ];
        return {
          changes,
          events: [
            stepEvent('codebook.unsplit', into.id, project, after, at, {
              code: into.name,
              removedCode: code.name,
              segments: segments.map((s) => s.id),
            }),
          ],
          result: r.value,
        };
      });
    },
  };
}
