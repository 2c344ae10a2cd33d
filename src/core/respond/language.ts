/**
 * The language a respondent page is shown in: the one rule for the form routes (the study link, its pages and
 * the resume form). The JSON API takes the body's `language` as it is (`pickLanguage`).
 */
import { pickLanguage } from '../study/i18n.js';

/** Languages the browser prefers, best first (`Accept-Language: ur-PK,ur;q=0.9,en;q=0.8`). */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header || header.length > 1000) return [];
  return header
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { tag: (tag ?? '').trim(), weight: Number.isFinite(weight) ? weight : 0, i };
    })
    .filter(
      (x) => x.tag && x.tag !== '*' && x.weight > 0 && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(x.tag),
    )
    .sort((a, b) => b.weight - a.weight || a.i - b.i)
    .map((x) => x.tag);
}

/** The language to show: `?lang=` when the study offers it, else the browser's first offered language, else the study's first. */
export function chooseLanguage(
  offered: readonly string[],
  requested: string | undefined,
  acceptLanguage: string | undefined,
): string {
  const offers = (tag: string) => {
    const picked = pickLanguage(offered, tag);
    const base = (t: string) => t.toLowerCase().split('-')[0];
    return base(picked) === base(tag) ? picked : undefined;
  };
  if (requested && requested.length <= 35) {
    const hit = offers(requested);
    if (hit) return hit;
  }
  for (const tag of acceptedLanguages(acceptLanguage)) {
    const hit = offers(tag);
    if (hit) return hit;
  }
  return offered[0] ?? 'en';
}
