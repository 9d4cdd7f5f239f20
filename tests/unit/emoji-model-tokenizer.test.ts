import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../../nodes/runtime/text/clip-tokenizer.js';
import { latentForModel } from '../../nodes/runtime/diffusion/ksampler.js';

const root = resolve(import.meta.dirname, '..', '..');

describe('the shipped model tokenizes as it was trained', () => {
  it('the TypeScript tokenizer gives the ids the Python training recipe gave, on its reduced vocabulary', () => {
    const tokenizer = ClipTokenizer.fromFiles(
      join(root, 'training', 'checkpoints', 'tokenizer', 'vocab.json'),
      join(root, 'training', 'checkpoints', 'tokenizer', 'merges.txt'),
    );
    const pairs = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'emoji-tokenizer-pairs.json'), 'utf8')) as {
      text: string;
      ids: number[];
    }[];
    expect(pairs.length).toBeGreaterThan(50);
    for (const pair of pairs) expect(tokenizer.encode(pair.text), pair.text).toEqual(pair.ids);
  });
});

describe('latentForModel', () => {
  const empty = {
    samples: { batch: 2, channels: 4, height: 8, width: 8, data: new Float32Array(2 * 4 * 64) },
    downscale: 8,
  };

  it('keeps a latent on the model grid and re-makes an empty one for a model with smaller cells', () => {
    expect(latentForModel(empty, { name: 'sd', downscale: 8 })).toBe(empty.samples);
    const resized = latentForModel(empty, { name: 'emoji', downscale: 4 });
    expect([resized.batch, resized.channels, resized.height, resized.width]).toEqual([2, 4, 16, 16]);
    expect(resized.data.length).toBe(2 * 4 * 256);
    expect(latentForModel({ samples: empty.samples }, { name: 'sd', downscale: 8 })).toBe(empty.samples);
  });

  it('refuses an encoded latent from a VAE with other cells, saying what to do', () => {
    const encoded = { samples: { ...empty.samples, data: new Float32Array(2 * 4 * 64).fill(0.5) }, downscale: 8 };
    expect(() => latentForModel(encoded, { name: 'emoji', downscale: 4 })).toThrow(
      /encode the image with this model's VAE/,
    );
  });
});
