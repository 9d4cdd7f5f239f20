import { describe, expect, it } from 'vitest';
import type { NodeContext } from '../../nodes/contract/node-context.js';
import { ImageScale } from '../../nodes/image/image-scale.js';
import { LatentUpscale } from '../../nodes/latent/latent-upscale.js';
import { createImageBatch } from '../../nodes/runtime/image/image-batch.js';
import { comfyCenterCropWindow } from '../../nodes/runtime/image/image-ops.js';
import { centerCropWindow } from '../../nodes/runtime/image/resize.js';
import { makeTestEnv } from '../helpers/env.js';

const ctx: NodeContext = {
  nodeId: '1',
  promptId: 'center-crop',
  signal: new AbortController().signal,
  env: makeTestEnv('inkgraph-center-crop-'),
  caches: { getOrCreate: (_key, create) => create(), clear: async () => {} },
  prompt: {},
  extraPngInfo: undefined,
  previewMethod: 'none',
  previewEvery: 1,
  memoryBudgetBytes: Number.POSITIVE_INFINITY,
  progress: () => {},
  throwIfInterrupted: () => {},
};

describe("common_upscale's centre-crop window", () => {
  // Each expected window worked out from comfy/utils.py: x = round((w − w·(new/old)) / 2), Python's round,
  // narrow(-1, x, w − 2x) (and the same for y).
  const cases: [number, number, number, number, { x: number; y: number; width: number; height: number }][] = [
    // (101 − 50) / 2 = 25.5 → 26 (to even), so 101 − 52 = 49 columns stay (not a 50-wide window at 25).
    [101, 50, 1, 1, { x: 26, y: 0, width: 49, height: 50 }],
    [512, 768, 512, 512, { x: 0, y: 128, width: 512, height: 512 }],
    [1000, 600, 512, 512, { x: 200, y: 0, width: 600, height: 600 }],
    // 7 − 7·(4/7) = 3, / 2 = 1.5 → 2: three columns, 2..4.
    [7, 1, 4, 1, { x: 2, y: 0, width: 3, height: 1 }],
    [640, 480, 1024, 576, { x: 0, y: 60, width: 640, height: 360 }],
    // 999·((1/3) / 0.64) = 520.31…, (999 − 520.31…) / 2 = 239.34… → 239, so 999 − 478 = 521 rows (not round(520.31)).
    [333, 999, 64, 100, { x: 0, y: 239, width: 333, height: 521 }],
    [100, 75, 100, 75, { x: 0, y: 0, width: 100, height: 75 }],
    [13, 7, 3, 5, { x: 4, y: 0, width: 5, height: 7 }],
  ];
  it.each(cases)('%i×%i to %i×%i', (width, height, targetWidth, targetHeight, expected) => {
    expect(centerCropWindow(width, height, targetWidth, targetHeight)).toEqual(expected);
    // ImageBatch and ImageBlend read the same window.
    expect(comfyCenterCropWindow(width, height, targetWidth, targetHeight)).toEqual(expected);
  });

  it('keeps at least one column where ComfyUI would be left with none', () => {
    // 4×1 to 1×1: x = round(1.5) = 2 leaves 0 columns in ComfyUI (interpolate then fails).
    expect(centerCropWindow(4, 1, 1, 1)).toEqual({ x: 1, y: 0, width: 2, height: 1 });
    expect(centerCropWindow(1, 1000, 1000, 1)).toEqual({ x: 0, y: 499, width: 1, height: 2 });
  });
});

describe('ImageScale and LatentUpscale crop with that window', () => {
  it('ImageScale 7×1 → 4×1 nearest-exact reads columns 2..4 only', async () => {
    const image = createImageBatch(1, 1, 7, 3);
    for (let x = 0; x < 7; x++) image.data.fill(x / 10, x * 3, x * 3 + 3);
    const result = await ImageScale.run(
      { image, upscale_method: 'nearest-exact', width: 4, height: 1, crop: 'center' },
      ctx,
    );
    const [out] = result.outputs as [{ width: number; data: Float32Array }];
    // Window x = 2, width 3; nearest-exact 3 → 4 takes floor((o + 0.5)·0.75) = 0, 1, 1, 2 of it.
    const red = Array.from({ length: 4 }, (_, i) => Number(out.data[i * 3]!.toFixed(4)));
    expect(red).toEqual([0.2, 0.3, 0.3, 0.4]);
  });

  it('LatentUpscale crops the latent plane to the latent target (27×9 → 8×9 cells)', async () => {
    // One channel, value = column index. 64×72 px is 8×9 cells; window x = round((27 − 27·((8/9) / 3)) / 2) =
    // round(9.5) = 10 (to even), width 7. Nearest-exact 7 → 8 takes floor((o + 0.5)·7/8) = 0, 1, 2, 3, 3, 4, 5, 6 → columns 10..16.
    const data = Float32Array.from({ length: 27 * 9 }, (_, i) => i % 27);
    const result = await LatentUpscale.run(
      {
        samples: { samples: { batch: 1, channels: 1, height: 9, width: 27, data }, downscale: 8 },
        upscale_method: 'nearest-exact',
        width: 64,
        height: 72,
        crop: 'center',
      },
      ctx,
    );
    const [latent] = result.outputs as [{ samples: { width: number; height: number; data: Float32Array } }];
    expect(latent.samples).toMatchObject({ width: 8, height: 9 });
    expect(Array.from(latent.samples.data.subarray(0, 8))).toEqual([10, 11, 12, 13, 13, 14, 15, 16]);
  });
});
