import type { NodeInfo, ObjectInfo } from '../../../shared/node-spec.js';
import type { Locale } from '../i18n/messages.js';

/** Fuzzy search over node names, categories and descriptions (in the chosen language too). Pure. */

/** Characters of the query in order in the text; a higher score for earlier, contiguous and word-start matches. */
export function fuzzyScore(query: string, text: string): number {
  const q = query.toLowerCase();
  const t = text.toLowerCase();
  if (q.length === 0) return 1;
  const direct = t.indexOf(q);
  if (direct >= 0) return 100 - direct + (direct === 0 || /\W/.test(t[direct - 1] ?? '') ? 20 : 0);
  let score = 0;
  let position = 0;
  let previous = -2;
  for (const char of q) {
    const found = t.indexOf(char, position);
    if (found < 0) return 0;
    score += found === previous + 1 ? 3 : 1;
    previous = found;
    position = found + 1;
  }
  return score;
}

export interface SearchHit {
  readonly classType: string;
  readonly score: number;
}

export function nodeTexts(info: NodeInfo, locale: Locale): string[] {
  const translation = locale === 'zh-CN' ? info.translations?.['zh-CN'] : undefined;
  return [
    info.display_name,
    info.name,
    info.category,
    info.description,
    translation?.display_name ?? '',
    translation?.description ?? '',
  ];
}

export function searchNodes(
  query: string,
  objectInfo: ObjectInfo,
  locale: Locale,
  accept?: (info: NodeInfo) => boolean,
): SearchHit[] {
  const hits: SearchHit[] = [];
  for (const info of Object.values(objectInfo)) {
    if (accept && !accept(info)) continue;
    const [display, name, category, description, zhName, zhDescription] = nodeTexts(info, locale);
    const score = Math.max(
      fuzzyScore(query, display!) * 3,
      fuzzyScore(query, name!) * 3,
      fuzzyScore(query, zhName!) * 3,
      fuzzyScore(query, category!) * 2,
      fuzzyScore(query, description!),
      fuzzyScore(query, zhDescription!),
    );
    if (score > 0) hits.push({ classType: info.name, score });
  }
  return hits.sort((a, b) => b.score - a.score || a.classType.localeCompare(b.classType));
}
