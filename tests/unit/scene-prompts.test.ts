import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchPrompts, caption, seededRandom, vocabularySchema } from '../helpers/scene-prompts.js';

const vocabulary = vocabularySchema.parse(
  JSON.parse(
    readFileSync(
      join(resolve(import.meta.dirname, '..', '..'), 'models', 'diffusion', 'inkgraph-emoji', 'vocabulary.json'),
      'utf8',
    ),
  ),
);

describe('held-out-style prompts for the shipped model', () => {
  it('words a single object as the recipe’s full captions (the model card’s samples)', () => {
    // apple (0), white (0), small (0), at the bottom left (6); watermelon (4), yellow (4), large, at the bottom (7).
    expect(caption({ kind: 'single', object: 0, colour: 0, size: 0, position: 6 }, 'en', vocabulary)).toBe(
      'a small apple at the bottom left on a white background',
    );
    expect(caption({ kind: 'single', object: 0, colour: 0, size: 0, position: 6 }, 'zh', vocabulary)).toBe(
      '白色背景上左下的小红苹果',
    );
    expect(caption({ kind: 'single', object: 4, colour: 4, size: 1, position: 7 }, 'zh', vocabulary)).toBe(
      '黄色背景上下方的大西瓜',
    );
  });

  it('words two objects as the recipe’s pair captions', () => {
    const beside = { kind: 'pair', objects: [10, 11], colour: 6, relation: 'beside' } as const;
    expect(caption(beside, 'en', vocabulary)).toBe('a cat on the left and a dog on the right, blue background');
    expect(caption(beside, 'zh', vocabulary)).toBe('左边是猫脸，右边是狗脸，蓝色背景');
    const above = { kind: 'pair', objects: [23, 26], colour: 1, relation: 'above' } as const;
    expect(caption(above, 'en', vocabulary)).toBe('a sun above a cloud, black background');
    expect(caption(above, 'zh', vocabulary)).toBe('太阳在云上面，黑色背景');
  });

  it('draws the same prompts from the same seed: every object once, distinct pairs, both languages', () => {
    const prompts = benchPrompts(vocabulary, 5, 17);
    expect(benchPrompts(vocabulary, 5, 17)).toEqual(prompts);
    expect(benchPrompts(vocabulary, 5, 18)).not.toEqual(prompts);
    expect(prompts).toHaveLength((48 + 5) * 2);
    const singles = prompts.filter((p) => p.scene.kind === 'single' && p.language === 'en');
    expect(singles.map((p) => (p.scene.kind === 'single' ? p.scene.object : -1))).toEqual([...Array(48).keys()]);
    for (const p of prompts) if (p.scene.kind === 'pair') expect(p.scene.objects[0]).not.toBe(p.scene.objects[1]);
    expect(prompts.filter((p) => p.language === 'zh')).toHaveLength(53);
    expect(new Set(prompts.map((p) => p.seed)).size).toBe(prompts.length);
  });

  it('draws floats in [0, 1) that spread', () => {
    const random = seededRandom(1);
    const values = Array.from({ length: 1000 }, random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.filter((v) => v < 0.5).length).toBeGreaterThan(400);
    expect(values.filter((v) => v < 0.5).length).toBeLessThan(600);
  });
});
