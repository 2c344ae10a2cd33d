#!/usr/bin/env node
/**
 * `nabz`: thin commands over core, import, store and render. Each command lives in ./commands/<name>.ts and
 * exports `run(argv): Promise<void>`; expected failures are thrown as CliError and printed without a stack.
 */
import { CliError } from './errors.js';

const COMMANDS: Record<
  string,
  { summary: string; load: () => Promise<{ run(argv: string[]): Promise<void> }> }
> = {
  analyze: {
    summary: 'score a survey export and write the publication tables',
    load: () => import('./commands/analyze.js'),
  },
  init: {
    summary: 'draft a study (instruments, questions) from a survey export',
    load: () => import('./commands/init.js'),
  },
  score: {
    summary: 'write the scored dataset (scores, bands, flags, n per score)',
    load: () => import('./commands/score.js'),
  },
  instruments: {
    summary: 'list the instrument library or show one instrument',
    load: () => import('./commands/instruments.js'),
  },
  samplesize: {
    summary: 'sample size for a proportion or for comparing two means',
    load: () => import('./commands/samplesize.js'),
  },
  ttest: {
    summary: 't-tests from published summary statistics (--summary)',
    load: () => import('./commands/ttest.js'),
  },
  simulate: {
    summary: 'seeded synthetic respondents for a study, as a Google Forms CSV',
    load: () => import('./commands/simulate.js'),
  },
  serve: {
    summary: 'run the study server (studio, respondent links, JSON API)',
    load: () => import('./commands/serve.js'),
  },
  user: {
    summary: 'add or list researcher accounts (password from stdin)',
    load: () => import('./commands/user.js'),
  },
};

export const USAGE = `nabz — mental-health studies end to end

Usage: nabz <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([k, v]) => `  ${k.padEnd(12)} ${v.summary}`)
  .join('\n')}

Run \`nabz <command> --help\` for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`nabz: unknown command "${name}".\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const mod = await cmd.load();
    await mod.run(rest);
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`nabz ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(
      `nabz: internal error (a bug — please report it):\n${e instanceof Error ? e.stack : String(e)}\n`,
    );
    process.exitCode = 70;
  },
);
