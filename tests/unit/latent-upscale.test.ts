import { describe, expect, it } from 'vitest';
import type { NodeContext } from '../../nodes/contract/node-context.js';
import { LatentUpscale } from '../../nodes/latent/latent-upscale.js';
import { resizePixels } from '../../nodes/runtime/image/resize.js';
import { makeTestEnv } from '../helpers/env.js';

const ctx: NodeContext = {
  nodeId: '1',
  promptId: 'latent-upscale',
  signal: new AbortController().signal,
  env: makeTestEnv('inkgraph-latent-upscale-'),
  caches: { getOrCreate: (_key, create) => create(), clear: async () => {} },
  prompt: {},
  extraPngInfo: undefined,
  previewMethod: 'none',
  previewEvery: 1,
  memoryBudgetBytes: Number.POSITIVE_INFINITY,
  progress: () => {},
  throwIfInterrupted: () => {},
};

/** A 1×1×4×4 latent of raw values far outside 0..1, as real latents are (about −4…4). */
function rawLatent(): { batch: number; channels: number; height: number; width: number; data: Float32Array } {
  const data = Float32Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? -3 : 2.5));
  return { batch: 1, channels: 1, height: 4, width: 4, data };
}

describe('LatentUpscale keeps raw latent values', () => {
  it('bicubic neither clamps to 0..1 nor loses a constant plane', async () => {
    const constant = { batch: 1, channels: 1, height: 4, width: 4, data: new Float32Array(16).fill(-2) };
    const result = await LatentUpscale.run(
      {
        samples: { samples: constant, downscale: 8 },
        upscale_method: 'bicubic',
        width: 64,
        height: 64,
        crop: 'disabled',
      },
      ctx,
    );
    const [upscaled] = result.outputs as [{ samples: { width: number; data: Float32Array } }];
    expect(upscaled.samples.width).toBe(8);
    for (const value of upscaled.samples.data) expect(value).toBeCloseTo(-2, 5);
  });

  it('bicubic keeps its overshoot beyond the inputs, as torch does, where images are clamped', () => {
    const latent = rawLatent();
    const unclamped = resizePixels(latent, 8, 8, 'bicubic', 'disabled', undefined, false);
    expect(Math.min(...unclamped.data)).toBeLessThan(-3);
    expect(Math.max(...unclamped.data)).toBeGreaterThan(2.5);
    const clamped = resizePixels(latent, 8, 8, 'bicubic', 'disabled');
    expect(Math.min(...clamped.data)).toBe(0);
    expect(Math.max(...clamped.data)).toBe(1);
  });
});
