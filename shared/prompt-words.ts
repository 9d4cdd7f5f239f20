/**
 * Which words of a prompt a model was not trained on, from the words it publishes (`vocabulary.json`'s `words`).
 * A small model's reduced tokenizer turns an unknown English word into padding, and reads an unknown Chinese word
 * as bytes it never learned: either way the word is lost without a sign. Naming those words is the sign. Pure.
 */

/** A model's words, made ready for checking prompts against. */
export interface KnownWords {
  /** Words of scripts written with spaces, lower case. */
  readonly spaced: ReadonlySet<string>;
  /** Chinese words: a run of Han characters is split into them, longest first. */
  readonly han: ReadonlySet<string>;
  readonly longestHan: number;
}

const HAN_RUN = /^\p{Script=Han}+$/u;

/** The words of several lists (the model's own, a loaded LoRA's trigger words) as one set; phrases split. */
export function knownWords(
  lists: readonly { readonly en: readonly string[]; readonly zh: readonly string[] }[],
): KnownWords {
  const spaced = new Set<string>();
  const han = new Set<string>();
  for (const list of lists)
    for (const phrase of [...list.en, ...list.zh])
      for (const word of promptWords(phrase)) (HAN_RUN.test(word) ? han : spaced).add(word);
  let longestHan = 0;
  for (const word of han) longestHan = Math.max(longestHan, [...word].length);
  return { spaced, han, longestHan };
}

// ComfyUI's prompt syntax is not words: `(text:1.2)` weights and `embedding:name` references.
const EMBEDDING = /embedding:[^\s,()[\]]+/giu;
const WEIGHT = /:\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)\s*(?=\))/gu;
// A Han run, or a word of letters and digits with its contractions ("cat's").
const WORD = /\p{Script=Han}+|[\p{L}\p{N}]+(?:['’]\p{L}+)*/gu;

/** A text's words as a tokenizer sees them: NFKC, lower case, the prompt syntax left out; Han runs whole. */
function promptWords(text: string): string[] {
  const plain = text.normalize('NFKC').toLowerCase().replace(EMBEDDING, ' ').replace(WEIGHT, '');
  return Array.from(plain.matchAll(WORD), (match) => match[0]);
}

/** A Han run split into known words, longest first; characters no known word starts with gather into unknown runs. */
function unknownHan(run: string, known: KnownWords): string[] {
  const characters = [...run];
  const unknown: string[] = [];
  let pending = '';
  for (let i = 0; i < characters.length;) {
    let length = Math.min(known.longestHan, characters.length - i);
    while (length > 0 && !known.han.has(characters.slice(i, i + length).join(''))) length--;
    if (length === 0) {
      pending += characters[i]!;
      i++;
      continue;
    }
    if (pending) unknown.push(pending);
    pending = '';
    i += length;
  }
  if (pending) unknown.push(pending);
  return unknown;
}

/** The words of `text` the model does not know, each once, in the order they first appear. */
export function unknownPromptWords(text: string, known: KnownWords): string[] {
  const unknown = new Set<string>();
  for (const word of promptWords(text)) {
    if (HAN_RUN.test(word)) for (const piece of unknownHan(word, known)) unknown.add(piece);
    else if (!known.spaced.has(word)) unknown.add(word);
  }
  return [...unknown];
}
