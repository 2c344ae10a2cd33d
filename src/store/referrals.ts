/**
 * Referral links for snowball sampling. The researcher's seed links are wave 0; a link passed on by someone who
 * came through a wave-w link is wave w + 1. A link keeps only its wave: not its parent (who passed it on) and
 * not when, within a day, it was made (the table has no insertion order either: SQLite stores it WITHOUT ROWID
 * in code order). Responses carry only the wave, and the code a respondent arrived with is not stored, so
 * neither the links nor their order can be matched against responses to rebuild who referred whom.
 */
import type { Selectable } from 'kysely';
import { randomCode, toDate, toNumber } from './codec.js';
import { inTransaction, type StoreContext } from './context.js';
import { done, type Outcome, refused } from './errors.js';
import type { ReferralLinksTable } from './schema.js';

export interface ReferralLink {
  readonly studyId: number;
  readonly code: string;
  readonly wave: number;
  readonly createdAt: Date;
}

export interface WaveCount {
  readonly wave: number;
  /** Links created for this wave. */
  readonly links: number;
  /** Responses that came through links of this wave. */
  readonly responses: number;
}

export type ReferralRefusal = 'unknown_study' | 'unknown_parent' | 'code_taken';

const LINK_COLUMNS = ['study_id', 'code', 'wave', 'created_at'] as const;

function toLink(row: Pick<Selectable<ReferralLinksTable>, (typeof LINK_COLUMNS)[number]>): ReferralLink {
  return {
    studyId: row.study_id,
    code: row.code,
    wave: row.wave,
    createdAt: toDate(row.created_at),
  };
}

export function referralsRepo({ db }: StoreContext) {
  return {
    /**
     * Create a link: a seed link (wave 0) without `parentCode`, else one wave deeper than its parent (the parent
     * is only read for its wave; it is not stored). The code is random (8 characters from an unambiguous
     * alphabet) unless given.
     */
    async create(input: {
      studyId: number;
      parentCode?: string | null;
      code?: string;
      now?: Date;
    }): Promise<Outcome<ReferralLink, ReferralRefusal>> {
      const now = input.now ?? new Date();
      const parentCode = input.parentCode ?? null;
      return inTransaction(db, async (tx) => {
        const study = await tx
          .selectFrom('studies')
          .select('id')
          .where('id', '=', input.studyId)
          .executeTakeFirst();
        if (!study) return refused('unknown_study', `Study ${input.studyId} does not exist.`);
        let wave = 0;
        if (parentCode !== null) {
          const parent = await tx
            .selectFrom('referral_links')
            .select('wave')
            .where('study_id', '=', input.studyId)
            .where('code', '=', parentCode)
            .executeTakeFirst();
          if (!parent)
            return refused('unknown_parent', `Referral code ${parentCode} does not belong to this study.`);
          wave = parent.wave + 1;
        }
        // A random 8-character code collides with probability ~n / 6.6e11; retry a few times if it does.
        for (let attempt = 0; attempt < 5; attempt++) {
          const code = input.code ?? randomCode(8);
          const row = await tx
            .insertInto('referral_links')
            .values({ study_id: input.studyId, code, wave, created_at: now })
            .onConflict((oc) => oc.columns(['study_id', 'code']).doNothing())
            .returning(LINK_COLUMNS)
            .executeTakeFirst();
          if (row) return done(toLink(row));
          if (input.code !== undefined) break;
        }
        return refused('code_taken', `Referral code ${input.code ?? ''} is already used in this study.`);
      });
    },

    /** The link with this code in this study. */
    async lookup(input: { studyId: number; code: string }): Promise<ReferralLink | undefined> {
      const row = await db
        .selectFrom('referral_links')
        .select(LINK_COLUMNS)
        .where('study_id', '=', input.studyId)
        .where('code', '=', input.code)
        .executeTakeFirst();
      return row ? toLink(row) : undefined;
    },

    /** A study's seed links (wave 0), newest first, at most `limit` (default 50). */
    async seeds(studyId: number, limit = 50): Promise<{ code: string; createdAt: Date }[]> {
      const rows = await db
        .selectFrom('referral_links')
        .select(['code', 'created_at'])
        .where('study_id', '=', studyId)
        .where('wave', '=', 0)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ code: r.code, createdAt: toDate(r.created_at) }));
    },

    /** Links and responses per wave, lowest wave first (waves with links or responses only). */
    async waveCounts(studyId: number): Promise<WaveCount[]> {
      const links = await db
        .selectFrom('referral_links')
        .select(['wave', (eb) => eb.fn.countAll().as('n')])
        .where('study_id', '=', studyId)
        .groupBy('wave')
        .execute();
      const responses = await db
        .selectFrom('responses')
        .select(['referral_wave', (eb) => eb.fn.countAll().as('n')])
        .where('study_id', '=', studyId)
        .where('referral_wave', 'is not', null)
        .groupBy('referral_wave')
        .execute();
      const byWave = new Map<number, { links: number; responses: number }>();
      const entry = (wave: number) => {
        let e = byWave.get(wave);
        if (!e) {
          e = { links: 0, responses: 0 };
          byWave.set(wave, e);
        }
        return e;
      };
      for (const r of links) entry(r.wave).links = toNumber(r.n);
      for (const r of responses) {
        if (r.referral_wave !== null) entry(r.referral_wave).responses = toNumber(r.n);
      }
      return [...byWave.entries()].sort((a, b) => a[0] - b[0]).map(([wave, e]) => ({ wave, ...e }));
    },
  };
}

export type ReferralsRepo = ReturnType<typeof referralsRepo>;
