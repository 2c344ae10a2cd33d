/**
 * Follow-up waves (issue 14): a second (third, …) survey sent to the volunteers of a screening study, whose
 * responses are linked across waves — pre/post — without the screening response ever being linked.
 *
 * - **A wave is a study of its own** with `wave_of` = the screening study (the parent) and a name
 *   (`wave_label`: "pre", "post"). Its responses are stored like any other, plus `panel_id`.
 * - **The panel id** of a volunteer is HMAC-SHA256 under the server secret `wave-panel` of the parent study and
 *   the volunteer's random code (src/store/volunteers.ts), cut to 32 hex digits (128 bits). Every wave of one
 *   parent gets the same panel id for the same volunteer (that is the link between pre and post); another
 *   parent gets another. Never the code, never the code's SHA-256 (the owner's page shows that as the row key),
 *   never a contact: without the server secret a panel id cannot be matched to a volunteer.
 * - **Sent to whom**: `wave_invites` holds the panel ids the owner sent a wave to (no time, no order). A
 *   personal wave link (`/s/<wave link>?w=<code>`) works only when its panel id is there, so a wave keeps
 *   working after the screening study closes (which deletes the volunteers' contact details).
 * - **One response per volunteer per wave**: a unique index on (study, panel id); the insert refuses a
 *   second one (`panel_used`, src/store/responses.ts).
 * - **Withdrawal**: {@link WavesRepo.withdraw} deletes a panel's responses in every wave of the parent, and its
 *   invitations, when the volunteer withdraws through their personal link (the caller audits it).
 *
 * The owner knows whom they sent a wave to, so wave data is confidential, not anonymous (docs/security.md,
 * "Follow-up waves").
 */
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Answers } from '../core/response/answer.js';
import { decodeStoredAnswers } from '../core/response/answersJson.js';
import { fromJsonText, toNumber } from './codec.js';
import type { StoreContext } from './context.js';
import type { Database } from './schema.js';
import type { SecretsRepo } from './secrets.js';

/** The server secret panel ids are keyed with. */
const KEY_NAME = 'wave-panel';

/** A panel id: 32 lower-case hex digits. */
const PANEL_ID = /^[0-9a-f]{32}$/;

/** The panel id of a volunteer's code for the waves of a parent study, under the key (hex). */
function wavePanelId(keyHex: string, parentId: number, code: string): string {
  return createHmac('sha256', Buffer.from(keyHex, 'hex'))
    .update(`nabz-wave-panel\n${parentId}\n${code}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
}

/** Where a panel id stands in a wave: answered it (a response has it), was sent it, or neither. */
export type PanelState = 'answered' | 'invited' | 'unknown';

/**
 * A panel id's state in a wave, in one SELECT (`CASE WHEN EXISTS … WHEN EXISTS … END`): the wave rule of the
 * insert (src/store/responses.ts, the `panel` step, inside its transaction `db`) and {@link WavesRepo.state}.
 */
export async function panelState(db: Kysely<Database>, waveId: number, panelId: string): Promise<PanelState> {
  const row = await db
    .selectNoFrom((eb) => {
      const has = (table: 'responses' | 'wave_invites') =>
        eb.exists(
          eb
            .selectFrom(table)
            .select(eb.lit(1).as('one'))
            .where('study_id', '=', waveId)
            .where('panel_id', '=', panelId),
        );
      return eb
        .case()
        .when(has('responses'))
        .then(eb.val<PanelState>('answered'))
        .when(has('wave_invites'))
        .then(eb.val<PanelState>('invited'))
        .else(eb.val<PanelState>('unknown'))
        .end()
        .as('state');
    })
    .executeTakeFirstOrThrow();
  return row.state;
}

/** One wave response as the paired export reads it. */
interface WaveResponse {
  readonly panelId: string;
  readonly version: number;
  readonly answers: Answers;
}

export function wavesRepo({ db }: StoreContext, secrets: SecretsRepo) {
  return {
    /** The panel id of a volunteer's code in the waves of `parentId`. */
    async panelId(parentId: number, code: string): Promise<string> {
      return wavePanelId(await secrets.get(KEY_NAME), parentId, code);
    },

    /** Record that a wave was sent to these panel ids; returns how many were new. */
    async invite(waveId: number, panelIds: readonly string[]): Promise<number> {
      let added = 0;
      for (const panelId of new Set(panelIds)) {
        if (!PANEL_ID.test(panelId)) throw new TypeError(`"${panelId}" is not a panel id.`);
        const r = await db
          .insertInto('wave_invites')
          .values({ study_id: waveId, panel_id: panelId })
          .onConflict((oc) => oc.columns(['study_id', 'panel_id']).doNothing())
          .executeTakeFirst();
        added += Number(r.numInsertedOrUpdatedRows ?? 0n);
      }
      return added;
    },

    /** Which of these panel ids a wave was sent to. */
    async invitedAmong(waveId: number, panelIds: readonly string[]): Promise<Set<string>> {
      if (panelIds.length === 0) return new Set();
      const rows = await db
        .selectFrom('wave_invites')
        .select('panel_id')
        .where('study_id', '=', waveId)
        .where('panel_id', 'in', [...panelIds])
        .execute();
      return new Set(rows.map((r) => r.panel_id));
    },

    /** Whether a panel id has answered any wave of `parentId` (the personal page offers withdrawal then). */
    async hasResponses(parentId: number, panelId: string): Promise<boolean> {
      const row = await db
        .selectFrom('responses as r')
        .innerJoin('studies as s', 's.id', 'r.study_id')
        .select('r.id')
        .where('s.wave_of', '=', parentId)
        .where('r.panel_id', '=', panelId)
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Where a panel id stands in a wave: answered it, was sent it, or neither. */
    state(waveId: number, panelId: string): Promise<PanelState> {
      return panelState(db, waveId, panelId);
    },

    /** How many panel ids a wave was sent to, and how many of them answered. */
    async counts(waveId: number): Promise<{ invited: number; answered: number }> {
      const invited = await db
        .selectFrom('wave_invites')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('study_id', '=', waveId)
        .executeTakeFirstOrThrow();
      const answered = await db
        .selectFrom('responses')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('study_id', '=', waveId)
        .where('panel_id', 'is not', null)
        .executeTakeFirstOrThrow();
      return { invited: toNumber(invited.n), answered: toNumber(answered.n) };
    },

    /** The responses of a wave that carry a panel id (imported ones without are left out). */
    async responses(waveId: number): Promise<WaveResponse[]> {
      const rows = await db
        .selectFrom('responses')
        .select(['panel_id', 'version', 'answers'])
        .where('study_id', '=', waveId)
        .where('panel_id', 'is not', null)
        .orderBy('panel_id')
        .execute();
      return rows.map((r) => ({
        panelId: r.panel_id ?? '',
        version: r.version,
        answers: decodeStoredAnswers(fromJsonText(r.answers)),
      }));
    },

    /**
     * A volunteer's withdrawal: delete their responses (by panel id) in every wave of `parentId`, and the
     * waves' record of having been sent to them. Returns the responses deleted per wave (waves with none left
     * out). Run it inside the caller's audited transaction.
     */
    async withdraw(parentId: number, panelId: string): Promise<{ waveId: number; deleted: number }[]> {
      const waves = await db.selectFrom('studies').select('id').where('wave_of', '=', parentId).execute();
      const out: { waveId: number; deleted: number }[] = [];
      for (const { id } of waves) {
        const r = await db
          .deleteFrom('responses')
          .where('study_id', '=', id)
          .where('panel_id', '=', panelId)
          .executeTakeFirst();
        await db
          .deleteFrom('wave_invites')
          .where('study_id', '=', id)
          .where('panel_id', '=', panelId)
          .execute();
        const deleted = Number(r.numDeletedRows);
        if (deleted > 0) out.push({ waveId: id, deleted });
      }
      return out;
    },
  };
}

export type WavesRepo = ReturnType<typeof wavesRepo>;
