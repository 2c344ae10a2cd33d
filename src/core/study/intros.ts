/**
 * A study's own intro texts (issue 14): under a page's title (`collection.pages[i].intro`, or
 * `collection.questionsIntro` for the page of the study's own questions when the study has no `pages`) and
 * before an instrument's items (`instruments[i].intro`, shown before the instrument's own instructions).
 *
 * The rule: an intro is written in every language of the study (a respondent reading Urdu must not meet an
 * English paragraph that the researcher forgot); `introIssues` names the intro and the missing language.
 * The respondent flow (pages.ts) carries them to the pages; the codebook lists them (render/export/codebook.ts).
 */
import type { Issue, LocalizedText } from '../instrument/schema.js';
import { INTRO_MAX_LENGTH, type Study } from './schema.js';

const ENGLISH_NAMES: Readonly<Record<string, string>> = { en: 'English', ur: 'Urdu' };

/** A language's English name for messages ("Urdu (ur)"), or its tag. */
export function languageLabel(code: string): string {
  const name = ENGLISH_NAMES[code];
  return name ? `${name} (${code})` : `"${code}"`;
}

/** The study languages an intro has no text in (empty or only spaces count as none). */
function missingIntroLanguages(
  text: Readonly<Record<string, string | undefined>>,
  languages: readonly string[],
): string[] {
  return languages.filter((l) => !(text[l] ?? '').trim());
}

/** One intro of a study and where it is shown, in the order respondents meet them. */
interface IntroPlace {
  readonly kind: 'page' | 'questions' | 'instrument';
  /** Where it is in the definition, e.g. `collection.pages[1].intro`. */
  readonly path: string;
  /** For a page: its 1-based number among `collection.pages`. */
  readonly page?: number;
  /** A page's title, when it has one. */
  readonly title?: LocalizedText;
  /** For an instrument: its id. */
  readonly instrument?: string;
  readonly text: LocalizedText;
}

/** The study's intro texts: its pages' (or its own-questions page's), then its instruments', in study order. */
export function studyIntros(study: Pick<Study, 'instruments' | 'collection'>): IntroPlace[] {
  const out: IntroPlace[] = [];
  const col = study.collection;
  col.pages.forEach((p, i) => {
    if (p.intro)
      out.push({
        kind: 'page',
        path: `collection.pages[${i}].intro`,
        page: i + 1,
        ...(p.title ? { title: p.title } : {}),
        text: p.intro,
      });
  });
  if (col.questionsIntro)
    out.push({ kind: 'questions', path: 'collection.questionsIntro', text: col.questionsIntro });
  study.instruments.forEach((si, i) => {
    if (si.intro)
      out.push({
        kind: 'instrument',
        path: `instruments[${i}].intro`,
        instrument: si.instrument,
        text: si.intro,
      });
  });
  return out;
}

/** How a message names an intro: 'the intro of page 2 ("On the wards")', 'the intro before PHQ-9'. */
export function introName(place: IntroPlace, instrumentName: (id: string) => string = (id) => id): string {
  if (place.kind === 'instrument') return `the intro before ${instrumentName(place.instrument ?? '')}`;
  if (place.kind === 'questions') return "the intro of the page of the study's own questions";
  const t = place.title ? (place.title.en ?? Object.values(place.title)[0]) : undefined;
  return `the intro of page ${place.page}${t ? ` ("${t}")` : ''}`;
}

/**
 * Problems with a study's intros: one per intro and study language it lacks (code `intro_missing_language`),
 * and a `questionsIntro` on a study with its own `pages` (where it would not be shown).
 */
export function introIssues(study: Study, instrumentName?: (id: string) => string): Issue[] {
  const issues: Issue[] = [];
  const langs = study.languages;
  const offered = langs.map((l) => ENGLISH_NAMES[l] ?? l).join(' and ');
  for (const place of studyIntros(study)) {
    for (const l of missingIntroLanguages(place.text, langs))
      issues.push({
        path: place.path,
        code: 'intro_missing_language',
        message: `${introName(place, instrumentName)} has no ${languageLabel(l)} text, but the study is offered in ${offered}: write it in ${ENGLISH_NAMES[l] ?? l} too (Design → Intro texts), or remove the intro`,
      });
  }
  if (study.collection.questionsIntro && study.collection.pages.length > 0)
    issues.push({
      path: 'collection.questionsIntro',
      code: 'intro_not_shown',
      message:
        'collection.questionsIntro is the intro of the page of the own questions when the study has no "pages"; this study has its own pages, so give the page that holds the questions an "intro" instead',
    });
  return issues;
}

/** The problems of one intro typed in a form, by language: none, too long, or missing in a study language. */
export function introTextIssues(
  text: Readonly<Record<string, string>>,
  languages: readonly string[],
  what: string,
): { lang: string; code: string; message: string }[] {
  const out: { lang: string; code: string; message: string }[] = [];
  for (const [lang, t] of Object.entries(text))
    if (t.length > INTRO_MAX_LENGTH)
      out.push({
        lang,
        code: 'too_long',
        message: `${what} (${languageLabel(lang)}) has ${t.length} characters; an intro may have at most ${INTRO_MAX_LENGTH} per language, so shorten it`,
      });
  if (Object.keys(text).length === 0) return out;
  for (const lang of missingIntroLanguages(text, languages))
    out.push({
      lang,
      code: 'intro_missing_language',
      message: `${what} has no ${languageLabel(lang)} text, but the study is offered in ${languages.map((l) => ENGLISH_NAMES[l] ?? l).join(' and ')}: write it in ${ENGLISH_NAMES[lang] ?? lang} too, or empty every language to remove the intro`,
    });
  return out;
}
