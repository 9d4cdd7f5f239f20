import { afterAll, describe, expect, it } from 'vitest';
import { createImageBatch } from '../../nodes/runtime/image/image-batch.js';
import {
  batchImages,
  comfyCenterCropWindow,
  cropImage,
  cropWindow,
  emptyImage,
  padToFourChannels,
  pythonRound,
  scaleBySize,
  totalPixelsSize,
} from '../../nodes/runtime/image/image-ops.js';
import {
  blendImages,
  blendMismatch,
  blendValue,
  gaussianBlur,
  gaussianKernel1d,
  reflectPadProblem,
  sharpenImage,
} from '../../nodes/runtime/image/image-filters.js';
import { ImageBlend } from '../../nodes/image/image-blend.js';
import { ImageBlur } from '../../nodes/image/image-blur.js';
import { ImageScaleBy } from '../../nodes/image/image-scale-by.js';
import { EmptyImage } from '../../nodes/image/empty-image.js';
import type { NodeContext } from '../../nodes/contract/node-context.js';
import { makeTestEnv } from '../helpers/env.js';

const env = makeTestEnv('inkgraph-core-image-');
afterAll(() => env.cleanup());
const ctx: NodeContext = {
  nodeId: '1',
  promptId: 'core-image',
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

/** A 1-channel-looking RGB image: every channel of pixel i holds values[i]. */
function grey(width: number, height: number, values: readonly number[], batch = 1) {
  const image = createImageBatch(batch, height, width, 3);
  for (let b = 0; b < batch; b++)
    values.forEach((value, pixel) =>
      image.data.fill(value, (b * width * height + pixel) * 3, (b * width * height + pixel) * 3 + 3),
    );
  return image;
}

function channel0(image: { data: Float32Array; channels: number }, digits = 4): number[] {
  return Array.from({ length: image.data.length / image.channels }, (_, i) =>
    Number(image.data[i * image.channels]!.toFixed(digits)),
  );
}

describe('pythonRound', () => {
  it('rounds halves to even as Python does', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4, 2.6, 7].map(pythonRound)).toEqual([0, 2, 2, 4, 2, 3, 7]);
  });
});

describe('EmptyImage', () => {
  it('splits 0xRRGGBB into channels / 255', () => {
    const image = emptyImage(2, 1, 2, 0xff8000);
    expect(image).toMatchObject({ batch: 2, height: 1, width: 2, channels: 3 });
    expect(Array.from(image.data.subarray(0, 3))).toEqual([1, Math.fround(128 / 255), 0]);
    expect(Array.from(image.data.subarray(9, 12))).toEqual([1, Math.fround(128 / 255), 0]);
  });
  it('estimates its output from the widgets', () => {
    const memory = EmptyImage.estimate(
      { width: 8, height: 4, batch_size: 3, color: 0 },
      { env, memoryBudgetBytes: Number.POSITIVE_INFINITY },
    );
    expect(memory.outputs[0]).toEqual({ kind: 'image', batch: 3, height: 4, width: 8, channels: 3 });
  });
});

describe('ImageCrop', () => {
  it('clamps x and y to the last column and row and clips the far edge', () => {
    expect(cropWindow(4, 3, 512, 512, 0, 0)).toEqual({ x: 0, y: 0, width: 4, height: 3 });
    expect(cropWindow(4, 3, 2, 2, 10, 10)).toEqual({ x: 3, y: 2, width: 1, height: 1 });
    expect(cropWindow(4, 3, 2, 1, 1, 1)).toEqual({ x: 1, y: 1, width: 2, height: 1 });
  });
  it('copies the window of every image', () => {
    // 4×3 pixels numbered 0..11 row by row; the 2×2 window at (1, 1) holds 5, 6, 9, 10.
    const image = grey(4, 3, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 2);
    const out = cropImage(image, 2, 2, 1, 1);
    expect(out).toMatchObject({ batch: 2, width: 2, height: 2 });
    expect(channel0(out)).toEqual([5, 6, 9, 10, 5, 6, 9, 10]);
  });
});

describe('ImageBatch', () => {
  it('concatenates same-size batches', () => {
    const out = batchImages(grey(2, 1, [0.1, 0.2]), grey(2, 1, [0.3, 0.4], 2));
    expect(out.batch).toBe(3);
    expect(channel0(out)).toEqual([0.1, 0.2, 0.3, 0.4, 0.3, 0.4]);
  });
  it('resizes image2 to image1 bilinearly, centre-cropped', () => {
    // Same aspect: 4×2 [0, 1, 0.5, 0.5] per row → 2×1: sample centres 0.5 and 2.5 → 0.5, 0.5.
    const same = batchImages(grey(2, 1, [0, 0]), grey(4, 2, [0, 1, 0.5, 0.5, 0, 1, 0.5, 0.5]));
    expect(channel0(same)).toEqual([0, 0, 0.5, 0.5]);
    // 4×1 into 2×1: the centre crop keeps columns 1..2 (x = round((4 − 4·2/4)/2) = 1), then 2→2 is a copy.
    const cropped = batchImages(grey(2, 1, [0, 0]), grey(4, 1, [0, 1, 0.5, 0.25]));
    expect(channel0(cropped)).toEqual([0, 0, 1, 0.5]);
  });
  it("centre-crops as ComfyUI's common_upscale (Python's round, as much off each side)", () => {
    // 7×1 into 4×1: x = round((7 − 7·4/7) / 2) = round(1.5) = 2, so columns 2..4 stay.
    expect(comfyCenterCropWindow(7, 1, 4, 1)).toEqual({ x: 2, y: 0, width: 3, height: 1 });
    expect(comfyCenterCropWindow(2, 6, 1, 1)).toEqual({ x: 0, y: 2, width: 2, height: 2 });
    // Then bilinear 3→4 of [0.2, 0.3, 0.4]: centres −0.125 (→ 0), 0.625, 1.375, 2.125 (→ last).
    const out = batchImages(grey(4, 1, [0, 0, 0, 0]), grey(7, 1, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]));
    expect(channel0(out).slice(4)).toEqual([0.2, 0.2625, 0.3375, 0.4]);
  });
  it('gives RGB an opaque alpha when the other image has one', () => {
    const rgb = createImageBatch(1, 1, 1, 3);
    rgb.data.set([0.1, 0.2, 0.3]);
    expect(Array.from(padToFourChannels(rgb).data)).toEqual(Array.from(new Float32Array([0.1, 0.2, 0.3, 1])));
    const rgba = createImageBatch(1, 1, 1, 4);
    rgba.data.set([1, 1, 1, 1]);
    const out = batchImages(rgb, rgba);
    expect(out.channels).toBe(4);
    expect(Array.from(out.data)).toEqual(Array.from(new Float32Array([0.1, 0.2, 0.3, 1, 1, 1, 1, 1])));
  });
});

describe('scale sizes', () => {
  it('ImageScaleBy rounds each side (halves to even)', () => {
    expect(scaleBySize(16, 12, 1.5)).toEqual({ width: 24, height: 18 });
    expect(scaleBySize(5, 3, 0.5)).toEqual({ width: 2, height: 2 }); // 2.5 → 2, 1.5 → 2
  });
  it('ImageScaleToTotalPixels aims at megapixels × 1024²', () => {
    // 1024×512 at 1 MP: scale √2 → 1448.15…, 724.08… → 1448×724.
    expect(totalPixelsSize(1024, 512, 1, 1)).toEqual({ width: 1448, height: 724 });
    // with steps of 64: 22.63 → 23 → 1472, 11.31 → 11 → 704.
    expect(totalPixelsSize(1024, 512, 1, 64)).toEqual({ width: 1472, height: 704 });
    expect(totalPixelsSize(512, 512, 0.25, 1)).toEqual({ width: 512, height: 512 });
  });
  it('ImageScaleBy refuses a size of 0 by naming the node and field', async () => {
    await expect(
      ImageScaleBy.run({ image: grey(2, 2, [0, 0, 0, 0]), upscale_method: 'area', scale_by: 0.1 }, ctx),
    ).rejects.toThrow(/ImageScaleBy: scale_by 0.1/);
  });
});

describe('ImageBlend', () => {
  it('follows each mode formula', () => {
    expect(blendValue(0.2, 0.6, 'normal')).toBeCloseTo(0.6);
    expect(blendValue(0.2, 0.6, 'multiply')).toBeCloseTo(0.12);
    expect(blendValue(0.2, 0.6, 'screen')).toBeCloseTo(0.68); // 1 − 0.8·0.4
    expect(blendValue(0.2, 0.6, 'overlay')).toBeCloseTo(0.24); // a ≤ 0.5: 2ab
    expect(blendValue(0.8, 0.6, 'overlay')).toBeCloseTo(0.84); // 1 − 2·0.2·0.4
    expect(blendValue(0.2, 0.4, 'soft_light')).toBeCloseTo(0.168); // 0.2 − 0.2·0.2·0.8
    expect(blendValue(0.2, 0.6, 'soft_light')).toBeCloseTo(0.2 + 0.2 * (((16 * 0.2 - 12) * 0.2 + 4) * 0.2 - 0.2));
    expect(blendValue(0.36, 0.6, 'soft_light')).toBeCloseTo(0.36 + 0.2 * (0.6 - 0.36)); // g = √a above 0.25
    expect(blendValue(0.2, 0.6, 'difference')).toBeCloseTo(-0.4); // a − b, not |a − b|
  });
  it('mixes by blend_factor and clamps', () => {
    // difference 0.2 − 0.6 = −0.4; 0.2·0.5 + (−0.4)·0.5 = −0.1 → 0. multiply: 0.1 + 0.06 = 0.16.
    expect(channel0(blendImages(grey(1, 1, [0.2]), grey(1, 1, [0.6]), 0.5, 'difference'))).toEqual([0]);
    expect(channel0(blendImages(grey(1, 1, [0.2]), grey(1, 1, [0.6]), 0.5, 'multiply'))).toEqual([0.16]);
  });
  it('broadcasts a batch of one and resizes image2', () => {
    const out = blendImages(grey(2, 1, [0.2, 0.4], 2), grey(1, 1, [1]), 1, 'normal');
    expect(out.batch).toBe(2);
    expect(channel0(out)).toEqual([1, 1, 1, 1]);
  });
  it('refuses mismatched batches and channels', async () => {
    expect(blendMismatch(grey(1, 1, [0], 2), grey(1, 1, [0], 3))).toMatch(/batch sizes 2 and 3/);
    expect(blendMismatch(grey(1, 1, [0]), createImageBatch(1, 1, 1, 4))).toMatch(/channels/);
    await expect(
      ImageBlend.run(
        { image1: grey(1, 1, [0], 2), image2: grey(1, 1, [0], 3), blend_factor: 0.5, blend_mode: 'normal' },
        ctx,
      ),
    ).rejects.toThrow(/ImageBlend: image2/);
  });
});

describe('ImageBlur and ImageSharpen', () => {
  it('builds the kernel on linspace(-1, 1)', () => {
    // radius 1, sigma 1: taps at −1, 0, 1 → e^−0.5, 1, e^−0.5, normalised.
    const e = Math.exp(-0.5);
    const kernel = Array.from(gaussianKernel1d(1, 1));
    expect(kernel[0]).toBeCloseTo(e / (1 + 2 * e), 12);
    expect(kernel[1]).toBeCloseTo(1 / (1 + 2 * e), 12);
    expect(kernel.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
  it('blurs with reflected edges', () => {
    // 3×1 rows need height > radius too, so use 3×3 with rows equal: [0, 1, 0] per row.
    // Vertical pass of equal rows is a copy. x=0: reflect(−1)=1 → k0·1 + k1·0 + k0·1 = 2k0.
    const e = Math.exp(-0.5);
    const k0 = e / (1 + 2 * e);
    const k1 = 1 / (1 + 2 * e);
    const out = gaussianBlur(grey(3, 3, [0, 1, 0, 0, 1, 0, 0, 1, 0]), 1, 1);
    const row = channel0(out, 5).slice(0, 3);
    expect(row[0]).toBeCloseTo(2 * k0, 5);
    expect(row[1]).toBeCloseTo(k1, 5);
    expect(row[2]).toBeCloseTo(2 * k0, 5);
  });
  it('sharpens as x + 10α(x − blur(x)), clamped', () => {
    const image = grey(3, 3, [0.5, 0.5, 0.5, 0.5, 0.6, 0.5, 0.5, 0.5, 0.5]);
    const blurred = gaussianBlur(image, 1, 1);
    const out = sharpenImage(image, 1, 1, 0.1);
    const centre = 0.6 + 1 * (0.6 - blurred.data[4 * 3]!);
    expect(out.data[4 * 3]).toBeCloseTo(centre, 5);
    expect(channel0(sharpenImage(image, 1, 1, 5))[4]).toBe(1);
    // a flat image is unchanged
    expect(channel0(sharpenImage(grey(2, 2, [0.3, 0.3, 0.3, 0.3]), 1, 1, 2))).toEqual([0.3, 0.3, 0.3, 0.3]);
  });
  it('refuses a radius the image cannot reflect, naming node and field', async () => {
    expect(reflectPadProblem({ width: 3, height: 2 }, 2)).toMatch(/radius 2/);
    await expect(ImageBlur.run({ image: grey(2, 2, [0, 0, 0, 0]), blur_radius: 2, sigma: 1 }, ctx)).rejects.toThrow(
      /ImageBlur: blur_radius/,
    );
  });
});
