import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../../nodes/runtime/text/clip-tokenizer.js';
import { guidanceEmbedding } from '../../nodes/runtime/diffusion/ksampler.js';
import { latentToRgbPreview } from '../../media/latent-preview.js';
import { SD15_LATENT_RGB } from '../../nodes/runtime/diffusion/pipeline-loader.js';
import { chunkPrompt } from '../../nodes/runtime/diffusion/text-encoding.js';
import { float16ToFloat32, float32ToFloat16, fromHalf, toHalf } from '../../media/float16.js';
import { bytesToUnicode } from '../../nodes/runtime/text/clip-tokenizer.js';

/** A byte-level tokenizer: every character is one token (ids 0–511), BOS 512, EOS 513. */
function byteTokenizer(): ClipTokenizer {
  const table = bytesToUnicode();
  const vocab = new Map<string, number>();
  table.forEach((char, byte) => vocab.set(char, byte));
  table.forEach((char, byte) => vocab.set(`${char}</w>`, 256 + byte));
  vocab.set('<|startoftext|>', 512);
  vocab.set('<|endoftext|>', 513);
  return new ClipTokenizer(vocab, [], 513);
}

const clip = { tokenizer: byteTokenizer(), bosId: 512, eosId: 513, padId: 0, maxLength: 77 };

describe('chunkPrompt (ComfyUI tokenize_with_weights)', () => {
  it('wraps a short prompt in BOS/EOS and pads to 77', () => {
    const [chunk, ...rest] = chunkPrompt('ab c', clip);
    expect(rest).toEqual([]);
    expect(chunk!.map((t) => t.id).slice(0, 6)).toEqual([512, 97, 256 + 98, 256 + 99, 513, 0]);
    expect(chunk).toHaveLength(77);
  });

  it('carries weights per word and splits long prompts into 75-token chunks without splitting short words', () => {
    const words = Array.from({ length: 30 }, () => 'abc').join(' ');
    const chunks = chunkPrompt(`(${words}:1.5)`, clip);
    // 30 words × 3 tokens = 90 tokens: 25 words (75 tokens) fill the first chunk, 5 go to the second.
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.filter((t) => t.weight === 1.5)).toHaveLength(75);
    expect(chunks[1]!.filter((t) => t.weight === 1.5)).toHaveLength(15);
    expect(chunks.every((c) => c.length === 77 && c[0]!.id === 512)).toBe(true);
  });

  it('moves a short word that does not fit to the next chunk, but splits a long one', () => {
    const filler = Array.from({ length: 37 }, () => 'ab').join(' '); // 74 tokens
    const moved = chunkPrompt(`${filler} xyz`, clip);
    expect(moved[0]!.slice(75)).toEqual([
      { id: 513, weight: 1 },
      { id: 0, weight: 1 },
    ]);
    expect(moved[1]!.slice(1, 4).map((t) => t.id)).toEqual([120, 121, 256 + 122]);
    const long = chunkPrompt(`${filler} abcdefghij`, clip);
    expect(long[0]![75]!.id).toBe(97);
    expect(long[0]![76]!.id).toBe(513);
    expect(long[1]![1]!.id).toBe(98);
  });
});

describe('LCM guidance embedding', () => {
  it('is [sin(w·f), cos(w·f)] with w = (cfg − 1)·1000', () => {
    const embedding = guidanceEmbedding(1, 8);
    expect(Array.from(embedding.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(embedding.subarray(4))).toEqual([1, 1, 1, 1]);
    const scaled = guidanceEmbedding(2, 8);
    expect(scaled[0]).toBeCloseTo(Math.sin(1000), 5);
    expect(scaled[3]).toBeCloseTo(Math.sin(1000 * Math.exp((-3 * Math.log(10000)) / 3)), 5);
  });
});

describe('latent → RGB preview', () => {
  it('applies the factors to item 0 and maps −1…1 to 0…255', () => {
    const data = new Float32Array(4 * 2);
    data[0] = 1; // channel 0, pixel 0
    data[7] = -1; // channel 3, pixel 1
    const preview = latentToRgbPreview({ channels: 4, height: 1, width: 2, data }, SD15_LATENT_RGB);
    const expected = (value: number) => Math.round(Math.min(1, Math.max(0, (value + 1) / 2)) * 255);
    expect(Array.from(preview.data)).toEqual([
      expected(0.3512),
      expected(0.2297),
      expected(0.3227),
      expected(0.212),
      expected(0.2616),
      expected(0.7177),
    ]);
  });
});

describe('float16', () => {
  it('converts exactly representable values and rounds to nearest even', () => {
    for (const value of [0, 1, -2, 0.5, 65504, 2 ** -24, -0.125]) expect(fromHalf(toHalf(value))).toBe(value);
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(65520)).toBe(0x7c00);
    expect(Number.isNaN(fromHalf(toHalf(Number.NaN)))).toBe(true);
    expect(fromHalf(toHalf(1 + 2 ** -11))).toBe(1);
    const values = Float32Array.from([0.1, -3.3, 1000.5]);
    const back = float16ToFloat32(float32ToFloat16(values));
    back.forEach((value, i) => expect(Math.abs(value - values[i]!)).toBeLessThan(Math.abs(values[i]!) * 1e-3));
  });
});
