import { readFileSync } from 'node:fs';

/**
 * The CLIP BPE tokenizer, exact to OpenAI's `simple_tokenizer.py` / transformers' CLIPTokenizer:
 * NFC + whitespace collapse + lowercase, the CLIP pre-tokenizer regex, GPT-2 byte→unicode mapping, and BPE with
 * an end-of-word marker over the ranked merges.
 */

const PRETOKENIZE = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

/** CLIP uses the first 49152 − 256 − 2 merges. */
export const MAX_MERGES = 49152 - 256 - 2;

/** GPT-2's reversible byte → unicode table. */
export function bytesToUnicode(): string[] {
  const bytes: number[] = [];
  for (let b = 33; b <= 126; b++) bytes.push(b);
  for (let b = 161; b <= 172; b++) bytes.push(b);
  for (let b = 174; b <= 255; b++) bytes.push(b);
  const table: string[] = new Array<string>(256);
  for (const b of bytes) table[b] = String.fromCodePoint(b);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) {
      table[b] = String.fromCodePoint(256 + next);
      next += 1;
    }
  }
  return table;
}

const BYTE_TABLE = bytesToUnicode();
const utf8 = new TextEncoder();

export function cleanText(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
}

export class ClipTokenizer {
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, string[]>();

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    merges: readonly [string, string][],
    readonly unkId: number,
  ) {
    this.ranks = new Map(merges.slice(0, MAX_MERGES).map(([a, b], rank) => [`${a} ${b}`, rank]));
  }

  /** Reads `vocab.json` and `merges.txt` (first line is the `#version` header). */
  static fromFiles(vocabJsonPath: string, mergesTxtPath: string): ClipTokenizer {
    const vocabJson = JSON.parse(readFileSync(vocabJsonPath, 'utf8')) as Record<string, number>;
    const vocab = new Map(Object.entries(vocabJson));
    const merges = parseMerges(readFileSync(mergesTxtPath, 'utf8'));
    const unk = vocab.get('<|endoftext|>');
    if (unk === undefined) throw new Error(`${vocabJsonPath} has no <|endoftext|> token`);
    return new ClipTokenizer(vocab, merges, unk);
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  idOf(token: string): number | undefined {
    return this.vocab.get(token);
  }

  /** BPE of one pre-token (already byte-mapped), as vocabulary strings. */
  private bpe(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    const chars = Array.from(token);
    let word = [...chars.slice(0, -1), `${chars[chars.length - 1]}</w>`];
    if (word.length === 1) {
      this.cache.set(token, word);
      return word;
    }
    for (;;) {
      let best: string | undefined;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = `${word[i]} ${word[i + 1]}`;
        }
      }
      if (best === undefined) break;
      const [first, second] = best.split(' ') as [string, string];
      const merged: string[] = [];
      for (let i = 0; i < word.length;) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(word[i]!);
          i += 1;
        }
      }
      word = merged;
      if (word.length === 1) break;
    }
    this.cache.set(token, word);
    return word;
  }

  /** Token ids of a text, without BOS/EOS or padding. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const match of cleanText(text).matchAll(PRETOKENIZE)) {
      const piece = match[0];
      if (piece === '<|startoftext|>' || piece === '<|endoftext|>') {
        ids.push(this.vocab.get(piece) ?? this.unkId);
        continue;
      }
      const mapped = Array.from(utf8.encode(piece), (byte) => BYTE_TABLE[byte]!).join('');
      for (const token of this.bpe(mapped)) ids.push(this.vocab.get(token) ?? this.unkId);
    }
    return ids;
  }
}

export function parseMerges(text: string): [string, string][] {
  const lines = text.split('\n');
  const start = lines[0]?.startsWith('#version') ? 1 : 0;
  const merges: [string, string][] = [];
  for (const line of lines.slice(start)) {
    const parts = line.trim().split(' ');
    if (parts.length === 2 && parts[0] && parts[1]) merges.push([parts[0], parts[1]]);
  }
  return merges;
}
