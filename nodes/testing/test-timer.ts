import { defineNode } from '../contract/node-definition.js';
import { createImageBatch } from '../runtime/image/image-batch.js';
import type { NodeContext } from '../contract/node-context.js';

/**
 * A node for tests and the cluster benchmark only (registered with INKGRAPH_TEST_GATES, as TestGate): it "samples"
 * `steps` steps that each wait `ms_per_step` on a timer rather than compute, with a small step preview per step,
 * and outputs an image whose colour is its `seed`. Waiting costs no CPU, so on a 2-core machine several workers
 * running it at once show how the queue scales, not how the cores are shared.
 */

function waitStep(ms: number, ctx: NodeContext): Promise<void> {
  return new Promise((resolve, reject) => {
    setTimeout(() => {
      try {
        ctx.throwIfInterrupted();
        resolve();
      } catch (error) {
        reject(error instanceof Error ? error : new Error('TestTimer: interrupted'));
      }
    }, ms);
  });
}

/** A 16×16 picture of step `step` of `steps`: the seed's colour, filled from the top as the steps go. */
function stepPicture(
  seed: number,
  step: number,
  steps: number,
): { width: number; height: number; channels: 3; data: Uint8Array } {
  const size = 16;
  const data = new Uint8Array(size * size * 3);
  const filled = Math.round((size * step) / steps);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const at = (y * size + x) * 3;
      if (y < filled) {
        data[at] = (seed * 53) % 256;
        data[at + 1] = (seed * 97) % 256;
        data[at + 2] = (seed * 151) % 256;
      }
    }
  return { width: size, height: size, channels: 3, data };
}

export const TestTimer = defineNode({
  classType: 'TestTimer',
  displayName: 'Test Timer',
  category: 'testing',
  description:
    'Tests only (enabled by INKGRAPH_TEST_GATES): waits ms_per_step on a timer for each of its steps, with a step preview each, then outputs a seed-coloured image.',
  inputs: {
    seed: { kind: 'INT', default: 0, min: 0, max: 0xffff_ffff },
    steps: { kind: 'INT', default: 10, min: 1, max: 10_000 },
    ms_per_step: { kind: 'INT', default: 20, min: 0, max: 60_000 },
    size: { kind: 'INT', default: 64, min: 8, max: 1024, step: 8 },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  run: async ({ seed, steps, ms_per_step: msPerStep, size }, ctx) => {
    ctx.progress({ value: 0, max: steps });
    for (let step = 1; step <= steps; step++) {
      await waitStep(msPerStep, ctx);
      ctx.progress({ value: step, max: steps, preview: stepPicture(seed, step, steps) });
    }
    const image = createImageBatch(1, size, size, 3);
    const colour = [((seed * 53) % 256) / 255, ((seed * 97) % 256) / 255, ((seed * 151) % 256) / 255];
    for (let i = 0; i < size * size; i++) for (let c = 0; c < 3; c++) image.data[i * 3 + c] = colour[c]!;
    return { outputs: [image] };
  },
});
