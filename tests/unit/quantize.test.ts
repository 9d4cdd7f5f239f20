import { afterAll, describe, expect, it } from 'vitest';
import type { NodeContext } from '../../nodes/contract/node-context.js';
import { ImageQuantize } from '../../nodes/image/image-quantize.js';
import { createImageBatch } from '../../nodes/runtime/image/image-batch.js';
import { medianCutPalette } from '../../nodes/runtime/image/median-cut.js';
import { mapClosest, mapFloydSteinberg, PaletteMapper } from '../../nodes/runtime/image/palette-map.js';
import { bayerOffsetPixels, normalizedBayerMatrix, quantizeImage } from '../../nodes/runtime/image/quantize.js';
import { makeTestEnv } from '../helpers/env.js';

/** Packed 8-bit RGB from [r, g, b] triples. */
function rgbOf(pixels: readonly (readonly [number, number, number])[]): Uint8Array {
  return Uint8Array.from(pixels.flat());
}

/** The 16×12 test image of the reference run: a gradient plus LCG noise (the generator written out in Python too). */
function lcgImage(width: number, height: number, seed: number): Uint8Array {
  let s = seed;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
        const base = [
          Math.floor((x * 255) / (width - 1)),
          Math.floor((y * 255) / (height - 1)),
          Math.floor(((x + y) * 127) / (width + height - 2)),
        ][c]!;
        out[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, base + ((s >> 16) % 61) - 30));
      }
  return out;
}

describe("Pillow's median cut (Quant.c)", () => {
  it('splits on the widest weighted axis at the count median, a box taking its ties', () => {
    // Red spans 255·77, blue 255·29: split on red. Sorted high to low: (255,0,0)×1, then r = 0 ×3. The median
    // falls in r = 0, which takes all of them and leaves nothing, so the r = 0 colours go right instead.
    // Entries: (255, 0, 0) and the mean of (0,0,0)×2 and (0,0,255): (0, 0, 85).
    const rgb = rgbOf([
      [0, 0, 0],
      [0, 0, 0],
      [255, 0, 0],
      [0, 0, 255],
    ]);
    expect(Array.from(medianCutPalette(rgb, 2))).toEqual([255, 0, 0, 0, 0, 85]);
    // One colour: the mean of everything, rounded half up ((0 + 0 + 255 + 0) / 4 = 63.75 → 64, 0, 63.75 → 64).
    expect(Array.from(medianCutPalette(rgb, 1))).toEqual([64, 0, 64]);
  });

  it('stops when every box is a single colour, with fewer entries than asked', () => {
    const rgb = rgbOf([
      [10, 20, 30],
      [10, 20, 30],
      [200, 100, 0],
    ]);
    const palette = medianCutPalette(rgb, 256);
    expect(palette.length / 3).toBe(2);
    expect(Array.from(palette)).toEqual([200, 100, 0, 10, 20, 30]);
  });

  it("gives Pillow's palette for a noisy 16×12 image (reference: Image.quantize in Pillow)", () => {
    const rgb = lcgImage(16, 12, 7);
    expect(Array.from(medianCutPalette(rgb, 5))).toEqual([
      192, 229, 100, 196, 161, 92, 60, 194, 57, 188, 58, 68, 62, 63, 29,
    ]);
    expect(Array.from(medianCutPalette(rgb, 16))).toEqual([
      223, 232, 108, 159, 225, 91, 200, 178, 98, 192, 141, 85, 55, 247, 72, 58, 207, 52, 93, 152, 58, 32, 165, 44, 176,
      109, 67, 205, 73, 80, 220, 21, 73, 149, 21, 52, 94, 95, 43, 25, 104, 22, 71, 39, 27, 50, 7, 21,
    ]);
  });
});

describe("Pillow's palette mapping (Convert.c, Palette.c)", () => {
  const blackWhite = new Uint8Array([0, 0, 0, 255, 255, 255]);

  it("takes the entry nearest the colour's cache corner (low two bits cleared), ties to the lower index", () => {
    const mapper = new PaletteMapper(new Uint8Array([0, 0, 0, 8, 0, 0]));
    // 5 → corner 4: |4 − 0| = |4 − 8|, a tie, so index 0, though 5 itself is nearer 8.
    expect(mapper.index(5, 0, 0)).toBe(0);
    // 7 → corner 4 as well; 8 → corner 8.
    expect(mapper.index(7, 0, 0)).toBe(0);
    expect(mapper.index(8, 0, 0)).toBe(1);
  });

  it('maps a colour that is exactly an entry to that entry (the first of equal ones)', () => {
    // 3 has corner 0, which is entry 0; as an exact colour it is entry 1 (Pillow's exact-colour lookup).
    const mapper = new PaletteMapper(new Uint8Array([0, 0, 0, 3, 3, 3, 3, 3, 3]));
    expect(mapper.index(3, 3, 3)).toBe(1);
    expect(mapper.index(2, 2, 2)).toBe(0);
  });

  it('diffuses errors as Pillow does, in integer 16ths', () => {
    // Row 0, all 100: 100 → black (err 100); 100 + trunc(700/16) = 143 → white (err −112);
    // 100 + trunc(−784/16) = 51 → black; 100 + trunc(357/16) = 122 → black.
    // Row 1 reads the owed terms: 100 + trunc(164/16) = 110 → black; 100 + trunc((770 − 307)/16) = 128, corner
    // 128, nearer 255 → white; 100 + trunc((−889 + 509)/16) = 77 → black; 100 + trunc((539 + 661)/16) = 175 → white.
    const grey = new Uint8Array(2 * 4 * 3).fill(100);
    const mapper = new PaletteMapper(blackWhite);
    expect(Array.from(mapFloydSteinberg(grey, 4, 2, mapper))).toEqual([0, 1, 0, 0, 0, 1, 0, 1]);
    expect(Array.from(mapClosest(grey, mapper))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("hands the next row's last pixel blue's owed error for every channel, as Pillow's row end does", () => {
    // 1×2: (0, 0, 100) → black, blue error 100. The extra cell gets (5·100, 100, 100), so the pixel below is
    // (0 + 500/16, 100/16, 100/16) = (31, 6, 6), corner (28, 4, 4): nearer (32, 0, 0) than black.
    const rgb = rgbOf([
      [0, 0, 100],
      [0, 0, 0],
    ]);
    const mapper = new PaletteMapper(new Uint8Array([0, 0, 0, 32, 0, 0]));
    expect(Array.from(mapFloydSteinberg(rgb, 1, 2, mapper))).toEqual([0, 1]);
  });
});

describe("ComfyUI's Bayer dither", () => {
  it('builds the normalized matrices recursively', () => {
    expect(Array.from(normalizedBayerMatrix(0))).toEqual([0]);
    expect(Array.from(normalizedBayerMatrix(1))).toEqual([-0.375, 0.125, 0.375, -0.125]);
    // m = 16·M(1) = (−6, 2; 6, −2); blocks m − 1.5, m + 0.5 / m + 1.5, m − 0.5, all / 16.
    expect(Array.from(normalizedBayerMatrix(2)).map((v) => v * 16)).toEqual([
      -7.5, 0.5, -5.5, 2.5, 4.5, -3.5, 6.5, -1.5, -4.5, 3.5, -6.5, 1.5, 7.5, -0.5, 5.5, -2.5,
    ]);
  });

  it('adds spread·M + 0.5 to every channel, tiled, clamped and truncated', () => {
    // Two colours: spread = 256, so bayer-2 adds −95.5, 32.5 / 96.5, −31.5.
    const rgb = new Uint8Array(3 * 2 * 3).fill(100);
    rgb.set([250, 250, 250], 3 * 4);
    const out = bayerOffsetPixels(rgb, 3, 2, 2);
    const red = Array.from({ length: 6 }, (_, i) => out[i * 3]!);
    // Row 0: 100 − 95.5 = 4.5 → 4, 132.5 → 132, (x = 2 wraps) 4; row 1: 196.5 → 196, 250 − 31.5 = 218.5 → 218,
    // 196.
    expect(red).toEqual([4, 132, 4, 196, 218, 196]);
    expect(Array.from(bayerOffsetPixels(new Uint8Array([200, 10, 0]), 1, 2, 2))).toEqual([104, 0, 0]);
  });
});

describe('ImageQuantize', () => {
  const env = makeTestEnv('inkgraph-quantize-');
  afterAll(() => env.cleanup());
  const ctx: NodeContext = {
    nodeId: '1',
    promptId: 'quantize',
    signal: new AbortController().signal,
    env,
    caches: { getOrCreate: (_key, create) => create(), clear: async () => {} },
    prompt: {},
    extraPngInfo: undefined,
    previewMethod: 'none',
    previewEvery: 1,
    memoryBudgetBytes: Number.POSITIVE_INFINITY,
    progress: () => {},
    throwIfInterrupted: () => {},
  };

  it('truncates x·255 to bytes and returns palette entries / 255, image by image', () => {
    // 0.999 · 255 = 254.7 → 254; 0.5 → 127.5 → 127. Two colours, one image each.
    const image = createImageBatch(2, 1, 2, 3);
    image.data.set([0.999, 0.999, 0.999, 0.5, 0.5, 0.5, 0, 0, 0, 0, 0, 0]);
    const out = quantizeImage(image, 256, 'none');
    expect(Array.from(out.data)).toEqual(
      Array.from(new Float32Array([254, 254, 254, 127, 127, 127, 0, 0, 0, 0, 0, 0].map((v) => v / 255))),
    );
    // One colour: the mean (254 + 127) / 2 = 190.5 → 191 for both pixels.
    expect(Array.from(quantizeImage(image, 1, 'floyd-steinberg').data.subarray(0, 6))).toEqual(
      Array.from(new Float32Array(6).fill(191 / 255)),
    );
  });

  it('serves ComfyUI inputs and names itself when the image is not RGB', async () => {
    expect(ImageQuantize.inputs.dither).toMatchObject({
      options: ['none', 'floyd-steinberg', 'bayer-2', 'bayer-4', 'bayer-8', 'bayer-16'],
    });
    const rgba = createImageBatch(1, 1, 1, 4);
    await expect(async () => ImageQuantize.run({ image: rgba, colors: 4, dither: 'none' }, ctx)).rejects.toThrow(
      'ImageQuantize: image: needs 3 channels',
    );
  });
});
