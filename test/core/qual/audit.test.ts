import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_GENESIS,
  type AuditEvent,
  appendAuditEvent,
  auditHashInput,
  auditToCsv,
  auditToJson,
  auditToMarkdown,
  canonicalJson,
  changedFields,
  hiddenWhileBlind,
  segmentCoderOf,
  verifyAuditChain,
} from '../../../src/core/qual/audit.js';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function sampleLog(): AuditEvent[] {
  let log: AuditEvent[] = [];
  log = appendAuditEvent(
    log,
    {
      actor: 'r1',
      at: '2025-03-20T10:00:00Z',
      action: 'segment.create',
      entity: { kind: 'segment', id: 's1' },
      before: null,
      after: { start: 10, end: 42, codeIds: ['workload'] },
    },
    sha256,
  );
  log = appendAuditEvent(
    log,
    {
      actor: 'r2',
      at: '2025-03-21T09:00:00Z',
      action: 'code.rename',
      entity: { kind: 'code', id: 'fear' },
      before: { name: 'Fear', color: '#f00' },
      after: { name: 'Fear of failure', color: '#f00' },
    },
    sha256,
  );
  log = appendAuditEvent(
    log,
    {
      actor: 'r3',
      at: '2025-04-05T12:00:00Z',
      action: 'theme.signoff',
      entity: { kind: 'theme', id: 't1' },
      before: null,
      after: { reviewerId: 'r3', version: 2, note: 'ok, "final" | 👍' },
    },
    sha256,
  );
  log = appendAuditEvent(
    log,
    {
      actor: '=HYPERLINK("x")',
      at: '2025-04-06T08:00:00Z',
      action: 'segment.delete',
      entity: { kind: 'segment', id: 's1' },
      before: { start: 10, end: 42 },
      after: null,
    },
    sha256,
  );
  return log;
}

describe('canonical JSON', () => {
  it('sorts keys at every level, drops undefined members, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, é: 'x' })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"é":"x"}',
    );
  });
  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/value\.x: NaN/);
    expect(() => canonicalJson([undefined])).toThrow(/undefined/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
  });
});

describe('hash chain', () => {
  const log = sampleLog();
  it('links each event to the one before, from the genesis hash', () => {
    expect(log.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(log[0]!.prevHash).toBe(AUDIT_GENESIS);
    for (let i = 1; i < log.length; i++) expect(log[i]!.prevHash).toBe(log[i - 1]!.hash);
    // hash = sha256 of the canonical JSON of the event without its hash (checked by hand-built string)
    expect(auditHashInput(log[0]!)).toBe(
      `{"action":"segment.create","actor":"r1","after":{"codeIds":["workload"],"end":42,"start":10},"at":"2025-03-20T10:00:00Z","before":null,"entity":{"id":"s1","kind":"segment"},"prevHash":"${AUDIT_GENESIS}","seq":1}`,
    );
    expect(log[0]!.hash).toBe(sha256(auditHashInput(log[0]!)));
    expect(verifyAuditChain(log, sha256)).toEqual({ ok: true, count: 4, head: log[3]!.hash });
  });

  it('names the first altered event', () => {
    const tampered = log.map((e) =>
      e.seq === 2 ? { ...e, after: { name: 'Something else', color: '#f00' } } : e,
    );
    const v = verifyAuditChain(tampered, sha256);
    expect(v).toMatchObject({ ok: false, seq: 2, index: 1, reason: 'hash_mismatch', intact: 1 });
  });

  it('detects a removed event and a rehashed forgery that breaks the next link', () => {
    const removed = [log[0]!, log[2]!, log[3]!];
    expect(verifyAuditChain(removed, sha256)).toMatchObject({ ok: false, index: 1, reason: 'seq_gap' });
    // rewrite event 2 and recompute its own hash: event 3 no longer follows it
    const forged = { ...log[1]!, actor: 'r9' };
    const rehashed = { ...forged, hash: sha256(auditHashInput(forged)) };
    const v = verifyAuditChain([log[0]!, rehashed, log[2]!, log[3]!], sha256);
    expect(v).toMatchObject({ ok: false, seq: 3, reason: 'prev_hash_mismatch', intact: 2 });
  });

  it('the log is never changed in place', () => {
    const before = JSON.stringify(log);
    appendAuditEvent(
      log,
      {
        actor: 'x',
        at: '2025-01-01',
        action: 'a',
        entity: { kind: 'k', id: 'i' },
        before: null,
        after: null,
      },
      sha256,
    );
    expect(JSON.stringify(log)).toBe(before);
  });
});

describe('exports', () => {
  const log = sampleLog();
  it('CSV: header, quoted cells, canonical JSON, formula-looking text guarded', () => {
    const csv = auditToCsv(log);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('seq,at,actor,action,entity_kind,entity_id,before,after,prev_hash,hash');
    expect(lines[1]).toBe(
      `1,2025-03-20T10:00:00Z,r1,segment.create,segment,s1,null,"{""codeIds"":[""workload""],""end"":42,""start"":10}",${AUDIT_GENESIS},${log[0]!.hash}`,
    );
    expect(lines[4]!.startsWith(`4,2025-04-06T08:00:00Z,"'=HYPERLINK(""x"")",segment.delete`)).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
  });
  it('JSON round-trips and still verifies', () => {
    const back = JSON.parse(auditToJson(log)) as AuditEvent[];
    expect(verifyAuditChain(back, sha256).ok).toBe(true);
  });
  it('Markdown appendix: status, head hash and one readable row per event', () => {
    const md = auditToMarkdown(log, sha256, { actorName: (id) => ({ r1: 'SK', r2: 'AM' })[id] ?? id });
    expect(md).toContain(`4 events; the hash chain is intact. Head hash: \`${log[3]!.hash}\`.`);
    expect(md).toContain('| 1 | 2025-03-20T10:00:00Z | SK | segment.create | segment s1 | created |');
    expect(md).toContain('| 2 | 2025-03-21T09:00:00Z | AM | code.rename | code fear | changed name |');
    expect(md).toContain(
      '| 4 | 2025-04-06T08:00:00Z | =HYPERLINK("x") | segment.delete | segment s1 | deleted |',
    );
    const broken = auditToMarkdown([log[0]!, { ...log[1]!, actor: 'r9' }], sha256);
    expect(broken).toContain('**The hash chain is broken** at event 2');
  });
  it('changedFields', () => {
    expect(changedFields({ a: 1, b: [1] }, { a: 1, b: [2], c: 3 })).toEqual(['b', 'c']);
    expect(changedFields(1, 2)).toEqual(['(value)']);
  });
});

describe('blind coding and the trail', () => {
  const event = (kind: string, before: unknown, after: unknown): AuditEvent => ({
    seq: 1,
    actor: 'u1',
    at: '2026-01-02T10:00:00.000Z',
    action: `${kind}.update`,
    entity: { kind, id: 'x' },
    before,
    after,
    prevHash: AUDIT_GENESIS,
    hash: AUDIT_GENESIS,
  });

  it('names the coder of a segment event from its before or after document', () => {
    expect(segmentCoderOf(event('segment', null, { coderId: 'u2' }))).toBe('u2');
    expect(segmentCoderOf(event('segment', { coderId: 'u3' }, null))).toBe('u3');
    expect(segmentCoderOf(event('segment', { coderId: 7 }, null))).toBeNull();
  });

  it('hides other coders’ segment events (all of them from a reader who codes nothing), never other kinds', () => {
    const theirs = event('segment', null, { coderId: 'u2' });
    expect(hiddenWhileBlind(theirs, 'u1')).toBe(true);
    expect(hiddenWhileBlind(theirs, 'u2')).toBe(false);
    expect(hiddenWhileBlind(theirs, null)).toBe(true);
    expect(hiddenWhileBlind(event('segment', null, {}), 'u1')).toBe(true);
    expect(hiddenWhileBlind(event('code', null, { coderId: 'u2' }), 'u1')).toBe(false);
  });
});
