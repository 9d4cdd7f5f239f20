import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelVocabularySchema } from '../../shared/model-vocabulary.js';
import { knownWords, unknownPromptWords } from '../../shared/prompt-words.js';
import { benchPrompts, vocabularySchema } from '../helpers/scene-prompts.js';

const vocabularyJson: unknown = JSON.parse(
  readFileSync(
    resolve(import.meta.dirname, '..', '..', 'models', 'diffusion', 'inkgraph-emoji', 'vocabulary.json'),
    'utf8',
  ),
);
const shipped = modelVocabularySchema.parse(vocabularyJson);
const words = shipped.words;
if (!words) throw new Error('the shipped model publishes no words');
const known = knownWords([words]);

describe('the prompt words a model does not know', () => {
  it('finds none in the captions the shipped model was trained on, in either language', () => {
    // The recipe's own phrasing (scenes.py): every attribute stated, single objects and pairs.
    const prompts = benchPrompts(vocabularySchema.parse(vocabularyJson), 24, 7);
    expect(prompts.length).toBeGreaterThan(100);
    for (const prompt of prompts)
      expect([prompt.text, unknownPromptWords(prompt.text, known)]).toEqual([prompt.text, []]);
    // The recipe's other templates.
    for (const text of [
      'large fish, top left, blue background',
      'blue background with a small cat at the bottom right',
      '左上有一个大猫脸，蓝色背景',
      '一个小红苹果',
    ])
      expect(unknownPromptWords(text, known)).toEqual([]);
  });

  it("names the English words people write that the model's captions never had", () => {
    expect(unknownPromptWords('A big fish, upper left, on black', known)).toEqual(['big', 'upper']);
    expect(unknownPromptWords('a tiny kitty in the middle of the picture', known)).toEqual([
      'tiny',
      'kitty',
      'middle',
      'of',
      'picture',
    ]);
    // Each word once, in the order it first appears; case and full-width letters as the tokenizer folds them.
    expect(unknownPromptWords('Pink cat, PINK background, ｐｉｎｋ', known)).toEqual(['pink']);
  });

  it('splits Chinese runs into the words it knows, and names the rest', () => {
    // 红苹果 is known, 苹果 alone is not; 猫脸 is, 猫 is not; 很 is no word of its captions.
    expect(unknownPromptWords('蓝色背景，左上角有一个很大的苹果', known)).toEqual(['角', '很', '苹果']);
    expect(unknownPromptWords('一只猫', known)).toEqual(['一只猫']);
    expect(unknownPromptWords('小猫和大狗脸', known)).toEqual(['猫和']);
    expect(unknownPromptWords('大猫脸在小狗脸上面', known)).toEqual([]);
    // Mixed scripts: each checked by its own rule.
    expect(unknownPromptWords('a small 猫脸 on a 粉色 background', known)).toEqual(['粉色']);
  });

  it("reads ComfyUI's prompt syntax as syntax, not words", () => {
    expect(unknownPromptWords('(a small cat:1.3), [blue background], (large:.8)', known)).toEqual([]);
    expect(unknownPromptWords('embedding:easynegative, a cat', known)).toEqual([]);
    // A number that is no weight is a word like any other.
    expect(unknownPromptWords('2 cats', known)).toEqual(['2', 'cats']);
  });

  it("knows a LoRA's trigger words only when their list is added, and knows nothing for an empty list", () => {
    expect(unknownPromptWords('a cat, ink drawing', known)).toEqual(['ink', 'drawing']);
    const style = shipped.styles![0]!;
    const withLora = knownWords([words, { en: [style.en], zh: [style.zh] }]);
    expect(unknownPromptWords('a cat, ink drawing', withLora)).toEqual([]);
    expect(unknownPromptWords('一个猫脸，水墨画', withLora)).toEqual([]);
    expect(unknownPromptWords('一个猫脸，水墨画', known)).toEqual(['水墨画']);
    expect(unknownPromptWords('', known)).toEqual([]);
    expect(unknownPromptWords('a cat', knownWords([]))).toEqual(['a', 'cat']);
  });
});
