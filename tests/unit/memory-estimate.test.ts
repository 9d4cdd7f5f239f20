import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { rowBytes, shapeKindOf } from '../../nodes/contract/memory.js';
import {
  fitRowCost,
  genericCosts,
  MAX_ROWS_PER_CALL,
  modelCallBudget,
  pipelineShape,
  rowsPerCall,
  type MemorySample,
} from '../../nodes/runtime/diffusion/memory-profile.js';
import type { EstimateContext } from '../../nodes/contract/node-context.js';
import { estimateJobMemory as estimateValidated, memoryBudgetError } from '../../server/prompt/memory-budget.js';
import { readValidatedPrompt } from '../../server/prompt/read-validated-prompt.js';
import { heldBytes, LruCache } from '../../server/worker/lru-cache.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { textToImage } from '../helpers/diffusion.js';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const registry = createRegistry();
const modelsDir = resolve(import.meta.dirname, '..', '..', 'models');
const env = { inputDir: '/nonexistent', outputDir: '/nonexistent', tempDir: '/nonexistent', modelsDir };
/** The estimate of a prompt written here in its validated form (constants already of their types). */
function estimateJobMemory(prompt: ApiPrompt, outputs: readonly string[], ctx: EstimateContext) {
  const validated = readValidatedPrompt(prompt, outputs, registry);
  if (!validated.ok) throw new Error(validated.reason);
  return estimateValidated(validated.value, ctx);
}
const emoji = (size: number, batch = 1): ApiPrompt =>
  textToImage({ ckpt: 'inkgraph-emoji', size, batch, steps: 20, cfg: 5 });

describe('fitting a memory profile', () => {
  it('recovers a quadratic cost and never falls below a sample', () => {
    const truth = { constant: 2 * MIB, linear: 1000, quadratic: 2.5 };
    const samples: MemorySample[] = [16, 32, 48, 64, 96].map((side) => [
      1,
      side * side,
      rowBytes(truth, side * side) * (side === 48 ? 1.05 : 1),
    ]);
    samples.push([2, 48 * 48, 2 * rowBytes(truth, 48 * 48)]);
    const cost = fitRowCost(samples, 1);
    expect(cost.quadratic).toBeGreaterThan(truth.quadratic * 0.9);
    expect(cost.quadratic).toBeLessThan(truth.quadratic * 1.15);
    for (const [rows, cells, bytes] of samples)
      expect(rows * rowBytes(cost, cells)).toBeGreaterThanOrEqual(bytes * 0.999);
    // Extrapolated to a 4× larger side it stays within 15% of the truth.
    expect(rowBytes(cost, 384 * 384) / rowBytes(truth, 384 * 384)).toBeLessThan(1.15);
  });

  it('keeps every coefficient non-negative when the data bends the other way', () => {
    const cost = fitRowCost([
      [1, 100, 5 * MIB],
      [1, 400, 5.2 * MIB],
      [1, 1600, 5.4 * MIB],
    ]);
    expect(Math.min(cost.constant, cost.linear, cost.quadratic)).toBeGreaterThanOrEqual(0);
    expect(rowBytes(cost, 1600)).toBeGreaterThanOrEqual(5.4 * MIB);
  });
});

describe('rows per model call', () => {
  const cost = { constant: 0, linear: 0, quadratic: 1 };
  it('puts every row in one call when they fit, and splits when they do not', () => {
    expect(rowsPerCall(cost, 100, 8, Number.POSITIVE_INFINITY, 10 * 100 * 100)).toBe(8);
    expect(rowsPerCall(cost, 100, 64, Number.POSITIVE_INFINITY, 100 * 100 * 100)).toBe(MAX_ROWS_PER_CALL);
    expect(rowsPerCall(cost, 100, 8, Number.POSITIVE_INFINITY, 3 * 100 * 100)).toBe(3);
    expect(rowsPerCall(cost, 100, 8, 1, 10 * 100 * 100)).toBe(1);
    // One row that does not fit still runs alone (the job estimate then refuses it if it is over the budget).
    expect(rowsPerCall(cost, 100, 8, Number.POSITIVE_INFINITY, 10)).toBe(1);
    expect(modelCallBudget(12 * GIB)).toBe(6 * GIB);
  });
});

describe('the embedded model', () => {
  it('has a measured profile, with the UNet cost growing with the square of its latent cells', () => {
    const model = pipelineShape(resolve(modelsDir, 'diffusion', 'inkgraph-emoji'));
    expect(model.measured).toBe(true);
    expect(model.downscale).toBe(4);
    expect(model.unet!.quadratic).toBeGreaterThan(0);
    // Measured here: 561 MiB for one row at 128×128 latent cells (512×512 pixels).
    const at128 = rowBytes(model.unet!, 128 * 128);
    expect(at128).toBeGreaterThan(561 * MIB);
    expect(at128).toBeLessThan(2 * 561 * MIB);
    expect(model.weightsBytes).toBeGreaterThan(15 * MIB);
  });

  it('estimates a 64×64 text-to-image job in megabytes and a 1024×1024 one in gigabytes', () => {
    const ctx = { env, memoryBudgetBytes: 12 * GIB };
    const small = estimateJobMemory(emoji(64), ['9'], ctx);
    expect(small.peakBytes).toBeGreaterThan(20 * MIB);
    expect(small.peakBytes).toBeLessThan(200 * MIB);
    const large = estimateJobMemory(emoji(1024), ['9'], ctx);
    expect(large.peakBytes).toBeGreaterThan(8 * GIB);
    expect(large.peak?.classType).toBe('KSampler');
    expect(large.peak?.memory.driver?.input).toBe('latent_image');
  });

  it('splits the two CFG rows of a large image into calls of one under a small budget, and says so', () => {
    const ctx = { env, memoryBudgetBytes: 2 * GIB };
    const estimate = estimateJobMemory(emoji(512), ['9'], ctx);
    expect(estimate.peak?.memory.driver?.why).toMatch(/2 UNet rows in calls of 1/);
    const refused = memoryBudgetError(estimateJobMemory(emoji(1024), ['9'], ctx), 2 * GIB, ['9']);
    expect(refused.error.type).toBe('memory_budget_exceeded');
    expect(refused.error.message).toMatch(/over the server's budget of 2\.0 GiB/);
    expect(refused.nodeErrors['3']?.errors[0]?.extra_info.input_name).toBe('latent_image');
    expect(refused.nodeErrors['3']?.dependent_outputs).toEqual(['9']);
  });

  it('counts a batch of 4096 small images by their latents and images, not one giant model call', () => {
    const estimate = estimateJobMemory(emoji(64, 4096), ['9'], { env, memoryBudgetBytes: 12 * GIB });
    // 4096 RGB float images of 64×64 are 192 MiB; the UNet calls are split to fit the budget.
    expect(estimate.peakBytes).toBeGreaterThan(192 * MIB);
    expect(estimate.peakBytes).toBeLessThan(6 * GIB);
  });
});

describe('image nodes', () => {
  const scaled = (width: number): ApiPrompt => ({
    '1': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    '2': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'inkgraph-emoji' } },
    '3': { class_type: 'VAEDecode', inputs: { samples: ['1', 0], vae: ['2', 2] } },
    '4': {
      class_type: 'ImageScale',
      inputs: { image: ['3', 0], upscale_method: 'bilinear', width, height: width, crop: 'disabled' },
    },
    '5': { class_type: 'PreviewImage', inputs: { images: ['4', 0] } },
  });

  it('charges ImageScale with its output, and names the widget that sets it', () => {
    const estimate = estimateJobMemory(scaled(16384), ['5'], { env, memoryBudgetBytes: 12 * GIB });
    // 16384² RGB float32 is 3 GiB; the PNG writer then holds it while it encodes ~2.25 GiB more.
    expect(estimate.peakBytes).toBeGreaterThan(3 * GIB);
    const refused = memoryBudgetError(estimate, 2 * GIB, ['5']);
    expect(Object.keys(refused.nodeErrors)).toHaveLength(1);
    const [node] = Object.keys(refused.nodeErrors);
    expect(['4', '5']).toContain(node);
    expect(refused.error.details).toContain('16384');
  });

  it('lets results go once their last reader has run, as the executor does', () => {
    const chain: ApiPrompt = { ...scaled(1024) };
    for (let index = 0; index < 50; index++)
      chain[`i${index}`] = { class_type: 'ImageInvert', inputs: { image: [index === 0 ? '4' : `i${index - 1}`, 0] } };
    chain['5'] = { class_type: 'PreviewImage', inputs: { images: ['i49', 0] } };
    const estimate = estimateJobMemory(chain, ['5'], { env, memoryBudgetBytes: 12 * GIB });
    // Fifty 12 MiB images in a chain, but never more than two held at once.
    expect(estimate.peakBytes).toBeLessThan(120 * MIB);
  });
});

describe('socket shapes', () => {
  it('tracks the sizes of images, masks, latents and models', () => {
    expect(shapeKindOf('IMAGE')).toBe('image');
    expect(shapeKindOf('LATENT')).toBe('latent');
    expect(shapeKindOf('VAE')).toBe('model');
    expect(shapeKindOf('CONDITIONING')).toBeUndefined();
    expect(shapeKindOf('constructor')).toBeUndefined();
  });

  it('every node that outputs an image, mask or latent estimates its memory', () => {
    const probe = { env, memoryBudgetBytes: GIB };
    for (const node of registry.values()) {
      const tracked = node.outputs.filter((output) => shapeKindOf(output.type) !== undefined);
      if (tracked.length === 0) continue;
      // Called with nothing known it must still answer, with one shape (or undefined) per output.
      const memory = node.estimate({}, probe);
      expect(memory.outputs.length, node.classType).toBe(node.outputs.length);
    }
  });

  it('generic costs are those of SD 1.5: ~1.1 GiB per UNet row at 512×512', () => {
    const unet = rowBytes(genericCosts(8).unet, 64 * 64);
    expect(unet).toBeGreaterThan(0.9 * GIB);
    expect(unet).toBeLessThan(1.5 * GIB);
  });
});

describe('output cache in bytes', () => {
  it('evicts by bytes, and does not keep a value larger than the whole bound', () => {
    const cache = new LruCache<string, Float32Array>(100, { maxBytes: 1000, sizeOf: heldBytes });
    cache.set('a', new Float32Array(100));
    cache.set('b', new Float32Array(100));
    expect(cache.bytes).toBe(800);
    cache.set('c', new Float32Array(100));
    expect(cache.has('a')).toBe(false);
    expect(cache.bytes).toBe(800);
    cache.set('huge', new Float32Array(1000));
    expect(cache.has('huge')).toBe(false);
    expect(cache.has('c')).toBe(true);
  });

  it('counts typed arrays inside outputs once per buffer', () => {
    const data = new Float32Array(256);
    expect(heldBytes([{ samples: { data } }, { samples: { data: data.subarray(0, 10) } }])).toBe(1024);
    expect(heldBytes(['abcd'])).toBe(8);
    const deep: { next?: unknown } = {};
    let cursor = deep;
    for (let depth = 0; depth < 100_000; depth++) cursor = cursor.next = {};
    expect(heldBytes(deep)).toBe(0);
  });
});
