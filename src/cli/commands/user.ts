/**
 * `nabz user add --email E [--name N] [--admin]` creates a researcher account; `nabz user list` lists them.
 * The password is read from standard input (typed without echo on a terminal, or piped: `echo … | nabz user add`)
 * or from NABZ_PASSWORD for scripts — never from the command line, where it would land in the shell history and
 * the process list.
 */
import { hashPassword, passwordProblem } from '../../server/auth/password.js';
import { normalizeEmail } from '../../store/index.js';
import { parse } from '../args.js';
import { CliError, usageError } from '../errors.js';
import { openConfiguredStore, serverConfig } from './serve.js';

const USAGE = `Usage: nabz user add --email EMAIL [--name NAME] [--admin] [--data-dir ./data]
       nabz user list [--data-dir ./data]

add    creates an account; the password is read from standard input (hidden when typed at a terminal) or from
       the NABZ_PASSWORD environment variable. At least 10 characters.
list   lists the accounts.
Uses the same database as \`nabz serve\` (DATABASE_URL, NABZ_DATA_DIR or --data-dir).`;

/** Read one line from a terminal without echoing it. */
async function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new CliError('Cancelled.', 1));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Read all of standard input (piped), first line only. */
async function readPiped(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function readPassword(): Promise<string> {
  const env = process.env.NABZ_PASSWORD;
  if (env !== undefined && env !== '') return env;
  if (process.stdin.isTTY) {
    const a = await readHidden('Password: ');
    const b = await readHidden('Password again: ');
    if (a !== b) throw new CliError('The two passwords are not the same: run the command again.');
    return a;
  }
  return readPiped();
}

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'add' && sub !== 'list') {
    if (sub === '--help' || sub === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    throw usageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is required', USAGE);
  }
  const { values } = parse(
    rest,
    {
      email: { type: 'string' },
      name: { type: 'string' },
      admin: { type: 'boolean' },
      'data-dir': { type: 'string' },
    },
    USAGE,
  );
  const config = serverConfig({ dataDir: values['data-dir'] || undefined });

  if (sub === 'list') {
    const store = await openConfiguredStore(config.dataDir);
    try {
      const users = await store.users.list();
      if (!users.length)
        process.stdout.write(
          'No accounts yet. Create one with: nabz user add --email you@example.org --admin\n',
        );
      for (const u of users)
        process.stdout.write(`${u.id}\t${u.email}\t${u.displayName}${u.isAdmin ? '\tadmin' : ''}\n`);
    } finally {
      await store.close();
    }
    return;
  }

  if (!values.email) throw usageError('--email is required', USAGE);
  const email = normalizeEmail(values.email);
  if (!/^[^\s@]{1,64}@[^\s@]{1,253}$/.test(email))
    throw usageError(`"${values.email}" is not an e-mail address: use the form name@example.org`, USAGE);
  const password = await readPassword();
  const problem = passwordProblem(password);
  if (problem) throw new CliError(problem);
  const passwordHash = await hashPassword(password);
  const store = await openConfiguredStore(config.dataDir);
  try {
    const created = await store.audited(
      (tx) =>
        tx.users.create({
          email,
          displayName: values.name?.trim() || email,
          passwordHash,
          isAdmin: values.admin === true,
        }),
      (c) =>
        c.ok
          ? {
              action: 'user.create',
              actorUserId: null,
              detail: { userId: c.value.id, email, admin: c.value.isAdmin, via: 'cli' },
            }
          : undefined,
    );
    if (!created.ok) throw new CliError(created.message);
    process.stdout.write(
      `Created ${created.value.isAdmin ? 'administrator ' : ''}account ${created.value.email} (id ${created.value.id}).\n`,
    );
  } finally {
    await store.close();
  }
}
