import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesToUnicode, cleanText, ClipTokenizer } from '../../nodes/runtime/text/clip-tokenizer.js';
import { parsePromptWeights } from '../../nodes/runtime/text/prompt-weights.js';

// OpenAI CLIP's real vocabulary, part of the repository's fixtures: missing, the suite fails rather than skips.
const vocabulary = resolve(import.meta.dirname, '..', 'fixtures', 'clip-tokenizer');
for (const file of ['vocab.json', 'merges.txt'])
  if (!existsSync(join(vocabulary, file)))
    throw new Error(`the CLIP tokenizer fixture ${join(vocabulary, file)} is missing`);

describe('byte→unicode table and cleanup', () => {
  it('maps printable bytes to themselves and the rest to 256+', () => {
    const table = bytesToUnicode();
    expect(table[33]).toBe('!');
    expect(table[0]).toBe(String.fromCodePoint(256));
    expect(table[32]).toBe('Ġ');
    expect(new Set(table).size).toBe(256);
  });

  it('normalises whitespace and case', () => {
    expect(cleanText('  A  Red\n\tApple ')).toBe('a red apple');
  });
});

describe('ClipTokenizer on the real CLIP vocabulary', () => {
  const tokenizer = ClipTokenizer.fromFiles(join(vocabulary, 'vocab.json'), join(vocabulary, 'merges.txt'));

  it('has the CLIP vocabulary and specials', () => {
    expect(tokenizer.vocabSize).toBe(49408);
    expect(tokenizer.idOf('<|startoftext|>')).toBe(49406);
    expect(tokenizer.idOf('<|endoftext|>')).toBe(49407);
  });

  it('encodes as the reference tokenizer does', () => {
    // Reference ids from transformers' CLIPTokenizer (openai/clip-vit-large-patch14).
    expect(tokenizer.encode('a photo of a cat')).toEqual([320, 1125, 539, 320, 2368]);
    expect(tokenizer.encode('Hello, world!')).toEqual([3306, 267, 1002, 256]);
    expect(tokenizer.encode('2024')).toEqual([273, 271, 273, 275]);
    expect(tokenizer.encode("it's")).toEqual([585, 568]);
  });

  it('handles non-ASCII text through the byte table', () => {
    const ids = tokenizer.encode('蓝色背景 café');
    expect(ids.length).toBeGreaterThan(3);
    expect(ids.every((id) => id >= 0 && id < 49406)).toBe(true);
    expect(tokenizer.encode('café')).toEqual(tokenizer.encode('CAFÉ'));
  });

  it('passes special tokens through', () => {
    expect(tokenizer.encode('<|endoftext|>')).toEqual([49407]);
  });
});

describe('prompt weights', () => {
  it('parses ComfyUI emphasis syntax', () => {
    expect(parsePromptWeights('a (red:1.5) apple')).toEqual([
      { text: 'a ', weight: 1 },
      { text: 'red', weight: 1.5 },
      { text: ' apple', weight: 1 },
    ]);
    const nested = parsePromptWeights('((cat))');
    expect(nested).toHaveLength(1);
    expect(nested[0]!.text).toBe('cat');
    expect(nested[0]!.weight).toBeCloseTo(1.21, 10);
    expect(parsePromptWeights('smile \\(happy\\)')).toEqual([{ text: 'smile (happy)', weight: 1 }]);
    expect(parsePromptWeights('(a:b)')).toEqual([{ text: 'a:b', weight: 1.1 }]);
  });
});
