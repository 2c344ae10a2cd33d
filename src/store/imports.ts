/**
 * Responses brought in from an export (Google Forms, a spreadsheet): the uploaded file between the upload and
 * the import (`response_uploads`), and the import itself — every row in ONE transaction with its audit entry
 * (all or nothing), each row stored once however often the same file is imported.
 *
 * Idempotency: a row's key is `import:<file SHA-256>:<row number>`, unique per study like every response's
 * idempotency key, so importing the same file again adds nothing (`ON CONFLICT DO NOTHING`). Each imported
 * response is marked `source = imported:<first 12 hex digits of the SHA-256>`; collected ones have no source.
 *
 * Privacy, as for collected responses (responses.ts): the calendar day is kept always, the time of day only
 * when the study is not anonymous or its owner turned times on.
 */
import { createHash } from 'node:crypto';
import type { Answers } from '../core/response/answer.js';
import { encodeStoredAnswers } from '../core/response/answersJson.js';
import { auditRepo } from './audit.js';
import { calendarDay, toDate, toJsonText, toNumber } from './codec.js';
import { inTransaction, type StoreContext } from './context.js';
import { type Refused, refused } from './errors.js';
import { newPublicId } from './responses.js';

/** The largest file the import takes (the column's CHECK allows 32 MiB; the server's own limit may be lower). */
export const MAX_UPLOAD_BYTES = 32 * 1024 * 1024;

/** Uploads older than this are removed whenever a new one is saved. */
const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

export interface StoredUpload {
  readonly id: number;
  readonly studyId: number;
  readonly userId: number;
  readonly fileName: string;
  readonly format: 'csv' | 'xlsx';
  readonly sha256: string;
  readonly bytes: Uint8Array;
  /** The mapping chosen so far (the JSON of a mapping file). */
  readonly mapping: unknown;
  readonly createdAt: Date;
}

/** One row of the file, coded: its answers (by item id, as collected responses store them) and its time. */
export interface ImportRow {
  /** The row number in the file (the header is row 1). */
  readonly row: number;
  readonly answers: Answers;
  /** The file's submission time for this row, if it has one. */
  readonly submittedAt: Date | null;
}

interface ImportInput {
  readonly studyId: number;
  /** Who imports: recorded in the audit entry appended in the same transaction. */
  readonly actorUserId: number;
  /** SHA-256 (hex) of the file's bytes. */
  readonly sha256: string;
  readonly fileName: string;
  readonly rows: readonly ImportRow[];
  /** Language the answers are taken to be in (the study's first language). */
  readonly language: string;
  /** The pending upload to delete in the same transaction, if any. */
  readonly uploadId?: number;
  readonly now?: Date;
}

export type ImportRefusal = 'unknown_study' | 'empty';

export type ImportOutcome =
  | {
      readonly ok: true;
      /** Rows stored now. */
      readonly added: number;
      /** Rows stored by an earlier import of the same file (nothing changed for them). */
      readonly already: number;
      /** `imported:<SHA-256 prefix>`, as the responses are marked. */
      readonly source: string;
    }
  | Refused<ImportRefusal>;

/** The source mark of responses imported from a file with this SHA-256. */
export function importSource(sha256: string): string {
  return `imported:${sha256.slice(0, 12)}`;
}

/** The SHA-256 of a file's bytes, lower-case hex. */
export function fileSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function importsRepo({ db, backend }: StoreContext) {
  return {
    /**
     * Delete uploads older than a day (an abandoned export, which may hold names or e-mail addresses, does not
     * stay in the database): run by the server's hourly housekeeping and before every new upload.
     */
    async deleteExpired(now: Date = new Date()): Promise<number> {
      const r = await db
        .deleteFrom('response_uploads')
        .where('created_at', '<', new Date(now.getTime() - UPLOAD_TTL_MS))
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /**
     * Keep an uploaded file for the mapping screen. The same user's earlier uploads for the study, and any
     * upload older than a day, are deleted first.
     */
    async saveUpload(input: {
      studyId: number;
      userId: number;
      fileName: string;
      format: 'csv' | 'xlsx';
      bytes: Uint8Array;
      now?: Date;
    }): Promise<{ id: number; sha256: string }> {
      const now = input.now ?? new Date();
      const sha256 = fileSha256(input.bytes);
      return inTransaction(db, async (tx) => {
        await tx
          .deleteFrom('response_uploads')
          .where('study_id', '=', input.studyId)
          .where('user_id', '=', input.userId)
          .execute();
        await tx
          .deleteFrom('response_uploads')
          .where('created_at', '<', new Date(now.getTime() - UPLOAD_TTL_MS))
          .execute();
        const row = await tx
          .insertInto('response_uploads')
          .values({
            study_id: input.studyId,
            user_id: input.userId,
            file_name: input.fileName.slice(0, 255) || 'upload',
            format: input.format,
            sha256,
            byte_size: input.bytes.byteLength,
            bytes: Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength),
            mapping: '{}',
            created_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return { id: toNumber(row.id), sha256 };
      });
    },

    /** A pending upload of a study, if it is there and was made by `userId`. */
    async upload(studyId: number, uploadId: number, userId: number): Promise<StoredUpload | undefined> {
      const row = await db
        .selectFrom('response_uploads')
        .selectAll()
        .where('id', '=', uploadId)
        .where('study_id', '=', studyId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: toNumber(row.id),
        studyId: row.study_id,
        userId: row.user_id,
        fileName: row.file_name,
        format: row.format,
        sha256: row.sha256,
        bytes: row.bytes,
        mapping: JSON.parse(row.mapping),
        createdAt: toDate(row.created_at),
      };
    },

    /** Remember the mapping chosen on the mapping screen for a pending upload. */
    async setMapping(studyId: number, uploadId: number, mapping: unknown): Promise<boolean> {
      const res = await db
        .updateTable('response_uploads')
        .set({ mapping: toJsonText(mapping, 'Mapping') })
        .where('id', '=', uploadId)
        .where('study_id', '=', studyId)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    /**
     * Store the rows of an export as responses of the study's current version, and append the audit entry
     * (`responses.import`, by `actorUserId`), in ONE transaction: if any row cannot be stored, nothing is. Rows
     * stored by an earlier import of the same file are left as they are (counted in `already`). The pending
     * upload `uploadId` is deleted in the same transaction. No audit entry when nothing was added.
     */
    async importRows(input: ImportInput): Promise<ImportOutcome> {
      if (input.rows.length === 0) return refused('empty', 'The file has no response rows to import.');
      const now = input.now ?? new Date();
      const source = importSource(input.sha256);
      return inTransaction(db, async (tx) => {
        const study = await tx
          .selectFrom('studies')
          .select(['version', 'anonymous', 'record_times'])
          .where('id', '=', input.studyId)
          .executeTakeFirst();
        if (!study) return refused('unknown_study', `Study ${input.studyId} does not exist.`);
        const keepTime = !study.anonymous || Boolean(study.record_times);
        let added = 0;
        for (const r of input.rows) {
          const at = r.submittedAt ?? now;
          const inserted = await tx
            .insertInto('responses')
            .values({
              public_id: newPublicId(),
              study_id: input.studyId,
              version: study.version,
              idempotency_key: `import:${input.sha256}:${r.row}`,
              answers: encodeStoredAnswers(r.answers),
              language: input.language,
              submitted_on: calendarDay(at),
              submitted_at: keepTime && r.submittedAt ? r.submittedAt : null,
              referral_wave: null,
              source,
            })
            .onConflict((oc) => oc.columns(['study_id', 'idempotency_key']).doNothing())
            .returning('id')
            .executeTakeFirst();
          if (inserted) added++;
        }
        if (input.uploadId !== undefined)
          await tx
            .deleteFrom('response_uploads')
            .where('id', '=', input.uploadId)
            .where('study_id', '=', input.studyId)
            .execute();
        if (added > 0)
          await auditRepo({ db: tx, backend }).append({
            action: 'responses.import',
            studyId: input.studyId,
            actorUserId: input.actorUserId,
            now,
            detail: {
              source,
              sha256: input.sha256,
              file: input.fileName,
              rows: input.rows.length,
              added,
              already: input.rows.length - added,
            },
          });
        return { ok: true, added, already: input.rows.length - added, source } as const;
      });
    },

    /** How many responses of the study an earlier import of the file with this SHA-256 stored. */
    async countImported(studyId: number, sha256: string): Promise<number> {
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw new RangeError('sha256 must be 64 lower-case hex digits.');
      const row = await db
        .selectFrom('responses')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('study_id', '=', studyId)
        .where('idempotency_key', 'like', `import:${sha256}:%`)
        .executeTakeFirstOrThrow();
      return toNumber(row.n as number | string | bigint);
    },

    /** How many responses of a study came from each imported file (`source` → count), largest first. */
    async sources(studyId: number): Promise<{ source: string; count: number }[]> {
      const rows = await db
        .selectFrom('responses')
        .select((eb) => ['source', eb.fn.countAll().as('n')])
        .where('study_id', '=', studyId)
        .where('source', 'is not', null)
        .groupBy('source')
        .execute();
      return rows
        .map((r) => ({ source: r.source as string, count: toNumber(r.n as number | string | bigint) }))
        .sort((a, b) => b.count - a.count || (a.source < b.source ? -1 : 1));
    },
  };
}

export type ImportsRepo = ReturnType<typeof importsRepo>;
