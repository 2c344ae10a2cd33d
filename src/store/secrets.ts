/**
 * Secrets the server generates once and every instance over the same database shares, e.g. the key of the
 * idempotency-key hash. Each is 32 random bytes (hex), made by the first instance that asks for it.
 */
import { randomBytes } from 'node:crypto';
import type { StoreContext } from './context.js';

export function secretsRepo({ db }: StoreContext) {
  return {
    /** The secret called `name`, created (32 random bytes, hex) the first time it is asked for. */
    async get(name: string): Promise<string> {
      const read = async () =>
        (await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirst())
          ?.value;
      const known = await read();
      if (known !== undefined) return known;
      await db
        .insertInto('server_secrets')
        .values({ name, value: randomBytes(32).toString('hex') })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const made = await read();
      if (made === undefined) throw new Error(`Server secret ${name} could not be stored.`);
      return made;
    },
  };
}

export type SecretsRepo = ReturnType<typeof secretsRepo>;
