import type { ImageBatch } from '../../contract/socket-types.js';
import { createImageBatch } from './image-batch.js';
import { medianCutPalette } from './median-cut.js';
import { mapClosest, mapFloydSteinberg, PaletteMapper } from './palette-map.js';

/** ImageQuantize as comfy_extras/nodes_post_processing.py: a median-cut palette, then each image mapped onto it. */

export const ditherModes = ['none', 'floyd-steinberg', 'bayer-2', 'bayer-4', 'bayer-8', 'bayer-16'] as const;
export type DitherMode = (typeof ditherModes)[number];

/**
 * ComfyUI's normalized_bayer_matrix(n): 0 for n = 0, else the 2×2 blocks (m − 1.5, m + 0.5; m + 1.5, m − 0.5) / 4ⁿ
 * of m = 4ⁿ·M(n − 1), in float32 as numpy computes it. Row-major, 2ⁿ × 2ⁿ.
 */
export function normalizedBayerMatrix(n: number): Float32Array {
  if (n === 0) return new Float32Array(1);
  const inner = normalizedBayerMatrix(n - 1);
  const half = 1 << (n - 1);
  const size = half * 2;
  const q = 4 ** n;
  const out = new Float32Array(size * size);
  const offsets = [
    [-1.5, 0.5],
    [1.5, -0.5],
  ] as const;
  for (let by = 0; by < 2; by++)
    for (let bx = 0; bx < 2; bx++)
      for (let y = 0; y < half; y++)
        for (let x = 0; x < half; x++) {
          const m = Math.fround(q * inner[y * half + x]!);
          out[(by * half + y) * size + bx * half + x] = Math.fround(Math.fround(m + offsets[by]![bx]!) / q);
        }
  return out;
}

/**
 * ComfyUI's Quantize.bayer before its final palette lookup: spread·M + 0.5 (spread = 2·256 / palette size) added to
 * every channel, tiled from the top-left, clamped to 0..255 and truncated to 8 bits.
 */
export function bayerOffsetPixels(rgb: Uint8Array, width: number, order: number, paletteSize: number): Uint8Array {
  const n = Math.log2(order);
  const spread = Math.fround((2 * 256) / paletteSize);
  const base = normalizedBayerMatrix(n);
  const matrix = base.map((value) => Math.fround(Math.fround(spread * value) + 0.5));
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) {
    const pixel = Math.floor(i / 3);
    const y = Math.floor(pixel / width) % order;
    const x = (pixel % width) % order;
    const value = Math.fround(rgb[i]! + matrix[y * order + x]!);
    out[i] = value <= 0 ? 0 : value >= 255 ? 255 : Math.floor(value);
  }
  return out;
}

/** One image of the batch as ComfyUI hands it to PIL: (x·255) in float32, truncated to uint8. */
function toBytes(image: ImageBatch, b: number): Uint8Array {
  const plane = image.height * image.width * 3;
  const out = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) {
    const value = Math.fround(image.data[b * plane + i]! * 255);
    out[i] = value <= 0 ? 0 : value >= 255 ? 255 : Math.floor(value);
  }
  return out;
}

/** Every image reduced to at most `colors` colours of its own median-cut palette, dithered as asked. */
export function quantizeImage(
  image: ImageBatch,
  colors: number,
  dither: DitherMode,
  beforeImage?: (index: number) => void,
): ImageBatch {
  if (image.channels !== 3) throw new Error(`image: needs 3 channels (RGB), this one has ${image.channels}`);
  const { width, height } = image;
  const out = createImageBatch(image.batch, height, width, 3);
  const plane = width * height * 3;
  for (let b = 0; b < image.batch; b++) {
    beforeImage?.(b);
    const rgb = toBytes(image, b);
    const palette = medianCutPalette(rgb, colors);
    const mapper = new PaletteMapper(palette);
    let indices: Uint8Array;
    if (dither === 'none') indices = mapClosest(rgb, mapper);
    else if (dither === 'floyd-steinberg') indices = mapFloydSteinberg(rgb, width, height, mapper);
    else {
      const order = Number(dither.slice('bayer-'.length));
      indices = mapClosest(bayerOffsetPixels(rgb, width, order, palette.length / 3), mapper);
    }
    for (let i = 0; i < indices.length; i++)
      for (let c = 0; c < 3; c++) out.data[b * plane + i * 3 + c] = palette[indices[i]! * 3 + c]! / 255;
  }
  return out;
}
