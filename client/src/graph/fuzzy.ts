import type { NodeInfo, ObjectInfo } from '../../../shared/node-spec.js';
import type { Locale } from '../i18n/messages.js';

/**
 * Fuzzy search over node names, class types, categories and descriptions (in the chosen language too). Pure.
 * A query is words; every word must match some field, in any order ("latent upscale" finds "Upscale Latent"),
 * exactly, as a prefix, inside a name, or with one typo ("ksampelr"). Whole-name and prefix matches rank first.
 */

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

/** True when a becomes b by at most one insertion, deletion, substitution or swap of neighbours. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const restA = a.slice(start, endA);
  const restB = b.slice(start, endB);
  if (restA.length <= 1 && restB.length <= 1) return true; // one substitution, insertion or deletion
  return restA.length === 2 && restB.length === 2 && restA[0] === restB[1] && restA[1] === restB[0];
}

/** A field split for matching: its words (camelCase split too) and its letters without separators. */
export interface SearchField {
  readonly words: readonly string[];
  readonly compact: string;
  readonly weight: number;
  /** Names allow typos; descriptions do not (their many words would match nearly anything). */
  readonly typos: boolean;
}

const WORD = /[\p{L}\p{N}]+/gu;

export function searchField(text: string, weight: number, typos: boolean): SearchField {
  const pieces = text.match(WORD) ?? [];
  const words = new Set<string>();
  for (const piece of pieces) {
    words.add(piece.toLowerCase());
    // KSamplerAdvanced → k, sampler, advanced; CLIPTextEncode → clip, text, encode.
    for (const part of piece.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/)) words.add(part.toLowerCase());
  }
  const compact = pieces.join('').toLowerCase();
  if (compact) words.add(compact);
  return { words: [...words], compact, weight, typos };
}

const EXACT = 10;
const PREFIX = 7;
const INSIDE = 5;
const TYPO = 3;
const MIN_TYPO_LENGTH = 4;

/** How well one query word matches one field: 0 when it does not. */
export function termScore(term: string, field: SearchField): number {
  let best = 0;
  for (const word of field.words) {
    if (word === term) return EXACT;
    if (word.startsWith(term)) best = Math.max(best, PREFIX);
  }
  if (best > 0) return best;
  if (field.compact.includes(term)) return INSIDE;
  if (!field.typos || term.length < MIN_TYPO_LENGTH) return 0;
  for (const word of field.words) {
    if (withinOneEdit(term, word)) return TYPO + 1;
    // A typo in a word still being typed: the term against the word's start of about the same length.
    for (const length of [term.length - 1, term.length, term.length + 1])
      if (length < word.length && withinOneEdit(term, word.slice(0, length))) best = TYPO;
  }
  return best;
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

function nodeFields(info: NodeInfo, locale: Locale): { names: SearchField[]; all: SearchField[] } {
  const [display, name, category, description, zhName, zhDescription] = nodeTexts(info, locale);
  const names = [searchField(display!, 3, true), searchField(name!, 3, true), searchField(zhName!, 3, true)];
  return {
    names,
    all: [
      ...names,
      searchField(category!, 2, true),
      searchField(description!, 1, false),
      searchField(zhDescription!, 1, false),
    ],
  };
}

const WHOLE_NAME = 1000;
const NAME_PREFIX = 300;
const TYPO_NAME = 200;
const ONE_NAME = 50;

/** The node's score for a query; 0 when some query word matches nowhere. */
export function nodeScore(query: string, info: NodeInfo, locale: Locale): number {
  const terms = query.toLowerCase().match(WORD) ?? [];
  if (terms.length === 0) return 1;
  const { names, all } = nodeFields(info, locale);
  let score = 0;
  for (const term of terms) {
    const best = Math.max(...all.map((field) => termScore(term, field) * field.weight));
    if (best === 0) return subsequenceScore(terms, names);
    score += best;
  }
  const compactQuery = terms.join('');
  for (const field of names) {
    if (field.compact === '') continue;
    if (field.compact === compactQuery) score += WHOLE_NAME;
    else if (field.compact.startsWith(compactQuery)) score += NAME_PREFIX;
    else if (compactQuery.length >= MIN_TYPO_LENGTH && withinOneEdit(compactQuery, field.compact)) score += TYPO_NAME;
  }
  // Every word in one name beats words scattered over name, category and description.
  if (terms.length > 1 && names.some((field) => terms.every((term) => termScore(term, field) > 0))) score += ONE_NAME;
  return score;
}

/** The last resort, for abbreviations such as "ckpt": the letters in order in a name, ranked below any word match. */
function subsequenceScore(terms: readonly string[], names: readonly SearchField[]): number {
  const compactQuery = terms.join('');
  if (compactQuery.length < 3) return 0;
  const best = Math.max(...names.map((field) => (field.compact ? fuzzyScore(compactQuery, field.compact) : 0)));
  return best > 0 ? Math.min(best / compactQuery.length, 2) : 0;
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
    const score = nodeScore(query, info, locale);
    if (score > 0) hits.push({ classType: info.name, score });
  }
  return hits.sort(
    (a, b) =>
      b.score - a.score ||
      (objectInfo[a.classType]?.display_name.length ?? 0) - (objectInfo[b.classType]?.display_name.length ?? 0) ||
      a.classType.localeCompare(b.classType),
  );
}
