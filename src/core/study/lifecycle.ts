/**
 * A study's life in the studio beyond its definition (issue 14): duplicating it, and the confirmation a
 * deletion needs. Pure: the server loads, calls these, stores the result (store/studies.ts `duplicate`,
 * `deleteWithData`, `setArchived`) with an audit entry.
 */
import type { Issue } from '../issue.js';
import type { StudyDraft } from './schema.js';

/** The longest study title the studio accepts (titleIssues). */
const MAX_TITLE = 200;

/** The title of a copy: "Copy of <title>", cut to the longest title allowed. */
export function copyTitle(title: string): string {
  const t = `Copy of ${title.trim()}`;
  return t.length > MAX_TITLE ? `${t.slice(0, MAX_TITLE - 1).trimEnd()}…` : t;
}

/**
 * The first definition of a copy of a study: everything the owner designed (instruments with their text packs,
 * questions, consent, screening, contacts, settings, analysis plan), with
 * - the new title (a title per language: the first language's is the new one, the others are kept);
 * - no record of who accepted an instrument's terms (`termsAcknowledged`: the copy's owner accepts them again,
 *   recorded for the new study);
 * - the consent back at version 1 (no one has agreed to the copy's text yet).
 */
export function duplicateDefinition(definition: StudyDraft, title: string): StudyDraft {
  const def = structuredClone(definition);
  def.title = typeof def.title === 'object' ? { ...def.title, [def.languages?.[0] ?? 'en']: title } : title;
  if (def.instruments) def.instruments = def.instruments.map(({ termsAcknowledged: _, ...rest }) => rest);
  if (def.collection?.consent) def.collection.consent.version = 1;
  return def;
}

/**
 * Deleting a study needs its title typed exactly (surrounding spaces ignored): the one confirmation that names
 * what is lost. An issue naming what was typed and what is expected, or undefined when it matches.
 */
export function deleteConfirmationIssue(typed: string, title: string): Issue | undefined {
  if (typed.trim() === title.trim()) return undefined;
  return {
    path: 'confirm',
    code: 'confirm_mismatch',
    message: typed.trim()
      ? `"${typed.trim()}" is not the study's title: type "${title.trim()}" exactly to delete the study and all its data`
      : `type the study's title, "${title.trim()}", to delete the study and all its data`,
  };
}
