/**
 * `nabz serve` (what `npm start` runs): the study server. SQLite under the data directory by default,
 * PostgreSQL when DATABASE_URL is set. On the first start (no accounts yet) it prints a one-time link to create
 * the owner account. Stops cleanly on SIGINT/SIGTERM: the server stops accepting, finishes what is in flight,
 * then the database is closed.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { ownerSetupLink } from '../../server/auth/setup.js';
import { ConfigError, type ConfigOverrides, configFromEnv, type ServerConfig } from '../../server/config.js';
import { openStore, type Store, StoreError, storeConfigFromEnv } from '../../store/index.js';
import { parse } from '../args.js';
import { CliError } from '../errors.js';

const USAGE = `Usage: nabz serve [--port 3000] [--host 127.0.0.1] [--data-dir ./data] [--public-url URL]

Starts the study server (researcher studio, respondent links, JSON API).
  --port        port to listen on (env PORT; default 3000)
  --host        address to listen on (env HOST; default 127.0.0.1 — use 0.0.0.0 behind a reverse proxy or in a container)
  --data-dir    directory of the SQLite database (env NABZ_DATA_DIR; default ./data)
  --public-url  the address people use, for links and QR codes (env NABZ_PUBLIC_URL; default http://localhost:PORT)
Environment: DATABASE_URL=postgres://user:password@host:5432/db selects PostgreSQL; NABZ_TRUST_PROXY (e.g. 1) when
behind a reverse proxy; NABZ_LOG_LEVEL (default warn); NABZ_SUBMIT_RATE_LIMIT (submissions per minute per address
and study, default 2000). See docs/deploy.md.`;

/** Expired sessions, drafts and setup tokens are deleted this often. */
const HOUSEKEEPING_MS = 60 * 60 * 1000;

/** The configuration from the environment and command-line overrides, with configuration errors as CLI errors. */
export function serverConfig(overrides: ConfigOverrides): ServerConfig {
  try {
    return configFromEnv(process.env, overrides);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 2);
    throw e;
  }
}

/** Open the store the environment selects, with errors as CLI errors. */
export async function openConfiguredStore(dataDir: string): Promise<Store> {
  try {
    return await openStore(storeConfigFromEnv(process.env, dataDir));
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message); // MigrationError is a StoreError too
    throw e;
  }
}

async function housekeeping(store: Store): Promise<void> {
  const now = new Date();
  await store.sessions.deleteExpired(now);
  await store.drafts.deleteExpired(now);
  await store.setupTokens.deleteExpired(now);
  await store.imports.deleteExpired(now);
  await store.accountLinks.deleteExpired(now);
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'public-url': { type: 'string' },
    },
    USAGE,
  );
  const config = serverConfig({
    port: values.port,
    host: values.host,
    dataDir: values['data-dir'],
    publicUrl: values['public-url'],
  });
  const store = await openConfiguredStore(config.dataDir);
  for (const step of store.migrations) process.stdout.write(`migration ${step.name}: ${step.status}\n`);

  let app: FastifyInstance;
  try {
    app = await buildApp({ store, config, logger: { level: process.env.NABZ_LOG_LEVEL?.trim() || 'warn' } });
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    await store.close();
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw new CliError(
        `Port ${config.port} on ${config.host} is already in use: stop the other server or use --port.`,
      );
    if (code === 'EACCES')
      throw new CliError(
        `Not allowed to listen on port ${config.port}: use a port above 1023 (e.g. --port 3000).`,
      );
    throw e;
  }
  // Signal handlers go in before anything is printed: a supervisor (or a test) that stops the server as soon as
  // it says "listening" must get a clean stop, not a kill during the setup-link and housekeeping awaits below.
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write(`nabz: ${signal} again — exiting now.\n`);
        process.exit(130);
      }
      stopping = true;
      process.stdout.write(`nabz: ${signal} received, finishing requests in flight…\n`);
      if (timer) clearInterval(timer);
      app
        .close()
        .catch((e: unknown) => process.stderr.write(`nabz: error while stopping the server: ${String(e)}\n`))
        .then(() => store.close())
        .catch((e: unknown) => process.stderr.write(`nabz: error while closing the database: ${String(e)}\n`))
        .finally(() => {
          process.stdout.write('nabz: stopped.\n');
          resolve();
        });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  process.stdout.write(
    `nabz is listening on http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port} — ${store.description}\n`,
  );

  // A stop that arrives meanwhile closes the store under these awaits: their failure is expected then.
  const link = await ownerSetupLink(store, config.publicUrl).catch((e: unknown) => {
    if (!stopping) throw e;
  });
  if (link) process.stdout.write(`Open ${link} to create the owner account (valid 24 h).\n`);

  await housekeeping(store).catch(() => undefined);
  if (stopping) return stopped;
  timer = setInterval(() => {
    housekeeping(store).catch((e: unknown) => app.log.warn({ err: e }, 'housekeeping failed'));
  }, HOUSEKEEPING_MS);
  timer.unref();

  await stopped;
}
