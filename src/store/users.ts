/** Researcher accounts. Passwords are hashed (argon2id) by the server; the store keeps the PHC string. */
import type { Selectable } from 'kysely';
import { normalizeEmail, toBool, toDate, toNumber } from './codec.js';
import type { StoreContext } from './context.js';
import { done, type Outcome, refused } from './errors.js';
import type { UsersTable } from './schema.js';

export interface User {
  readonly id: number;
  /** Trimmed, lower-case. */
  readonly email: string;
  readonly displayName: string;
  readonly isAdmin: boolean;
  readonly createdAt: Date;
}

export interface UserWithPasswordHash extends User {
  readonly passwordHash: string;
}

export interface NewUser {
  readonly email: string;
  readonly displayName: string;
  /** argon2id PHC string. */
  readonly passwordHash: string;
  readonly isAdmin?: boolean;
  readonly now?: Date;
}

const userColumns = ['id', 'email', 'display_name', 'is_admin', 'created_at'] as const;

function toUser(row: Pick<Selectable<UsersTable>, (typeof userColumns)[number]>): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    isAdmin: toBool(row.is_admin),
    createdAt: toDate(row.created_at),
  };
}

export function usersRepo({ db }: StoreContext) {
  return {
    /** Create an account. Refused with `email_taken` when the (normalized) address exists. */
    async create(input: NewUser): Promise<Outcome<User, 'email_taken'>> {
      const email = normalizeEmail(input.email);
      const row = await db
        .insertInto('users')
        .values({
          email,
          display_name: input.displayName.trim(),
          password_hash: input.passwordHash,
          is_admin: input.isAdmin ?? false,
          created_at: input.now ?? new Date(),
        })
        .onConflict((oc) => oc.column('email').doNothing())
        .returning(userColumns)
        .executeTakeFirst();
      if (!row) return refused('email_taken', `An account with the e-mail address ${email} already exists.`);
      return done(toUser(row));
    },

    /** The account with this e-mail address (case-insensitive), with its password hash for signing in. */
    async byEmail(email: string): Promise<UserWithPasswordHash | undefined> {
      const row = await db
        .selectFrom('users')
        .select([...userColumns, 'password_hash'])
        .where('email', '=', normalizeEmail(email))
        .executeTakeFirst();
      return row ? { ...toUser(row), passwordHash: row.password_hash } : undefined;
    },

    async byId(id: number): Promise<User | undefined> {
      const row = await db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst();
      return row ? toUser(row) : undefined;
    },

    /** All accounts, oldest first. */
    async list(): Promise<User[]> {
      const rows = await db.selectFrom('users').select(userColumns).orderBy('id').execute();
      return rows.map(toUser);
    },

    async count(): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return toNumber(row.n);
    },

    /** Replace the password hash (after a password change). Returns false when the user does not exist. */
    async setPasswordHash(id: number, passwordHash: string): Promise<boolean> {
      const res = await db
        .updateTable('users')
        .set({ password_hash: passwordHash })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
  };
}

export type UsersRepo = ReturnType<typeof usersRepo>;
