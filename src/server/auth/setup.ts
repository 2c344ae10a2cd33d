/** The first-run owner setup link, created at start when the server has no accounts. */
import { randomToken, type Store } from '../../store/index.js';

/** How long a printed setup link stays valid. */
const SETUP_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * When there is no account yet, create a one-time setup token and return the link to print; otherwise
 * undefined. Each start prints a new link (earlier ones stay valid until they expire or one is used).
 */
export async function ownerSetupLink(
  store: Store,
  baseUrl: string,
  clock: () => number = Date.now,
): Promise<string | undefined> {
  if ((await store.users.count()) > 0) return undefined;
  const token = randomToken(24);
  const now = clock();
  await store.setupTokens.create({
    token,
    purpose: 'owner',
    now: new Date(now),
    expiresAt: new Date(now + SETUP_TOKEN_TTL_MS),
  });
  return `${baseUrl.replace(/\/+$/, '')}/setup/${token}`;
}
