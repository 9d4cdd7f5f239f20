import { describe, expect, it } from 'vitest';
import type { NodeContext, ProgressUpdate } from '../../nodes/contract/node-context.js';
import { ImageScale } from '../../nodes/image/image-scale.js';
import { createImageBatch } from '../../nodes/runtime/image/image-batch.js';
import { makeTestEnv } from '../helpers/env.js';

class Interrupted extends Error {}

/** A node context whose run is interrupted once `after` progress points have passed, as the engine's flag would. */
function interruptedAfter(after: number): { ctx: NodeContext; points: ProgressUpdate[] } {
  const points: ProgressUpdate[] = [];
  const controller = new AbortController();
  const throwIfInterrupted = (): void => {
    if (points.length > after) {
      controller.abort();
      throw new Interrupted();
    }
  };
  const ctx: NodeContext = {
    nodeId: '2',
    promptId: 'interrupted',
    signal: controller.signal,
    env: makeTestEnv('inkgraph-interrupt-'),
    caches: { getOrCreate: (_key, create) => create(), clear: async () => {} },
    prompt: {},
    extraPngInfo: undefined,
    previewMethod: 'none',
    previewEvery: 1,
    memoryBudgetBytes: Number.POSITIVE_INFINITY,
    progress: (update) => {
      points.push(update);
      throwIfInterrupted();
    },
    throwIfInterrupted,
  };
  return { ctx, points };
}

describe('interrupts at a node’s progress points', () => {
  it('ImageScale stops at the progress point after the interrupt, long before its last row', async () => {
    const { ctx, points } = interruptedAfter(1);
    const image = createImageBatch(1, 12, 16, 3);
    const inputs = { image, upscale_method: 'lanczos', width: 3000, height: 3000, crop: 'disabled' };
    await expect(ImageScale.run(inputs, ctx)).rejects.toBeInstanceOf(Interrupted);
    expect(points).toHaveLength(2);
    expect(points[0]!.max).toBe(3000);
    expect(points.at(-1)!.value).toBeLessThan(3000);
  });
});
