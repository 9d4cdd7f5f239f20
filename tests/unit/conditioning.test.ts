import { describe, expect, it } from 'vitest';
import {
  activeAt,
  addOppositeArea,
  cropItem,
  featheredMult,
  maskBounds,
  pairOppositeAreas,
  percentToSigma,
  resolveConditioning,
  WeightedSum,
  type LatentGrid,
} from '../../nodes/runtime/diffusion/cond-batch.js';
import {
  averageConditioning,
  concatConditioning,
  setArea,
  setMask,
  zeroOutConditioning,
} from '../../nodes/runtime/diffusion/conditioning-ops.js';
import { inpaintConcat, resizedBatchIndex } from '../../nodes/runtime/diffusion/inpaint-inputs.js';
import { latentFromBatch, repeatLatent } from '../../nodes/runtime/diffusion/latent-batch.js';
import type { ConditioningEntry, Latent } from '../../nodes/runtime/diffusion/types.js';
import { growInpaintMask, maskPixelsForInpaint } from '../../nodes/runtime/image/inpaint-pixels.js';

function entry(
  values: number[],
  tokens: number,
  dim: number,
  extra: Partial<ConditioningEntry> = {},
): ConditioningEntry {
  return { embeddings: Float32Array.from(values), tokens, dim, pooled: undefined, ...extra };
}

const grid8: LatentGrid = { batch: 1, height: 8, width: 8, cell: 8 };
const sigmaAt = (index: number): number => index / 100;

describe('ComfyUI conditioning areas (get_area_and_mult)', () => {
  it("fades an inner area's edges over 8 cells with Python's slice rules", () => {
    // Area 4×4 at y=2, x=0 of an 8×8 latent: the top and bottom rows and the right columns fade. Worked by hand from
    // the loops in samplers.py: slices [h−1−t : h−t] wrap around for t > h−1 (t=5 → rows [-2:-1] = row 2, …).
    const area = { height: 4, width: 4, y: 2, x: 0 };
    const mult = featheredMult(area, area, grid8, 2);
    const rows = [(1 / 8) * (4 / 8), (2 / 8) * (3 / 8) * (7 / 8), (3 / 8) * (2 / 8) * (6 / 8), (4 / 8) * (1 / 8)];
    const columns = [4 / 8, (3 / 8) * (7 / 8), (2 / 8) * (6 / 8), 1 / 8];
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++) expect(mult[y * 4 + x]).toBeCloseTo(2 * rows[y]! * columns[x]!, 6);
  });

  it('leaves the whole latent unfaded', () => {
    const whole = { height: 8, width: 8, y: 0, x: 0 };
    expect([...featheredMult(whole, whole, grid8, 1)].every((value) => value === 1)).toBe(true);
  });

  it('resolves pixel areas in cells (floor), fractions with round-half-even, and clips to the latent', () => {
    const grid: LatentGrid = { batch: 1, height: 10, width: 10, cell: 8 };
    const [pixels, fraction, outside] = resolveConditioning(
      [
        entry([1], 1, 1, { area: { unit: 'pixels', height: 70, width: 100, y: 15, x: 60 } }),
        entry([1], 1, 1, { area: { unit: 'fraction', height: 0.25, width: 0.35, y: 0.5, x: 0.15 } }),
        entry([1], 1, 1, { area: { unit: 'pixels', height: 64, width: 64, y: 200, x: 0 } }),
      ],
      'positive',
      grid,
      sigmaAt,
    );
    expect(pixels!.area).toEqual({ height: 8, width: 12, y: 1, x: 7 });
    expect(pixels!.window).toEqual({ height: 8, width: 3, y: 1, x: 7 });
    expect(fraction!.area).toEqual({ height: 2, width: 4, y: 5, x: 2 });
    // An area below the latent weighs nothing anywhere: it is dropped.
    expect(outside).toBeUndefined();
  });

  it('weights a mask by mask_strength × strength, and takes its bounds (at least 8 cells) for "mask bounds"', () => {
    const mask = { batch: 1, height: 8, width: 8, data: new Float32Array(64) };
    mask.data[2 * 8 + 3] = 0.5;
    const conditioning = setMask([entry([1], 1, 1, { strength: 2 })], mask, 3, 'mask bounds');
    const [resolved] = resolveConditioning(conditioning, 'positive', grid8, sigmaAt);
    expect(resolved!.area).toEqual({ height: 8, width: 8, y: 2, x: 3 });
    expect(resolved!.window).toEqual({ height: 6, width: 5, y: 2, x: 3 });
    expect(resolved!.mult[0]![0]).toBeCloseTo(0.5 * 3 * 2);
    expect(maskBounds({ batch: 1, height: 2, width: 2, data: new Float32Array(4) })).toEqual({
      height: 8,
      width: 8,
      y: 0,
      x: 0,
    });
  });

  it('turns start/end percent into σ bounds and skips entries outside them', () => {
    expect(percentToSigma(0, sigmaAt)).toBe(999999999.9);
    expect(percentToSigma(1, sigmaAt)).toBe(0);
    expect(percentToSigma(0.5, sigmaAt)).toBeCloseTo(4.995);
    const [late] = resolveConditioning(
      [entry([1], 1, 1, { startPercent: 0.5, endPercent: 1 })],
      'positive',
      grid8,
      sigmaAt,
    );
    expect(activeAt([late!], 9)).toEqual([]);
    expect(activeAt([late!], 4)).toHaveLength(1);
  });

  it('gives an area the other side lacks a twin with the other side’s model conds', () => {
    const positive = resolveConditioning(
      setArea([entry([1], 1, 1)], { width: 32, height: 32, x: 0, y: 0 }, 1),
      'positive',
      grid8,
      sigmaAt,
    );
    const negative = resolveConditioning([entry([2], 1, 1)], 'negative', grid8, sigmaAt);
    pairOppositeAreas(positive, negative);
    expect(positive).toHaveLength(1);
    expect(negative).toHaveLength(2);
    expect(negative[1]!.area).toEqual({ height: 4, width: 4, y: 0, x: 0 });
    expect(negative[1]!.model.entry.embeddings[0]).toBe(2);
    expect(negative[1]!.model.promptType).toBe('negative');
    // An opposite entry with the same area already: no twin.
    const again = [...negative];
    addOppositeArea(again, positive[0]!);
    expect(again).toHaveLength(2);
  });

  it('averages overlapping estimates by their weights (out_conds / out_counts)', () => {
    const grid: LatentGrid = { batch: 1, height: 1, width: 3, cell: 8 };
    const sum = new WeightedSum(grid, 1);
    sum.add(0, { height: 1, width: 2, y: 0, x: 0 }, Float32Array.of(2, 4), Float32Array.of(1, 1));
    sum.add(0, { height: 1, width: 2, y: 0, x: 1 }, Float32Array.of(10, 6), Float32Array.of(3, 1));
    const out = sum.result();
    expect(out[0]).toBeCloseTo(2);
    expect(out[1]).toBeCloseTo((4 + 30) / 4);
    expect(out[2]).toBeCloseTo(6);
    expect([
      ...cropItem(Float32Array.of(1, 2, 3, 4, 5, 6), { height: 1, width: 3 }, 2, 0, {
        height: 1,
        width: 2,
        y: 0,
        x: 1,
      }),
    ]).toEqual([2, 3, 5, 6]);
  });
});

describe('conditioning nodes (nodes.py)', () => {
  it('ConditioningConcat appends the first from-entry’s tokens and keeps to’s keys', () => {
    const [out] = concatConditioning([entry([1, 2], 1, 2, { strength: 3 })], [entry([5, 6, 7, 8], 2, 2)]);
    expect([...out!.embeddings]).toEqual([1, 2, 5, 6, 7, 8]);
    expect(out!.tokens).toBe(3);
    expect(out!.strength).toBe(3);
  });

  it('ConditioningAverage cuts or zero-pads from to to’s length and mixes pooled outputs', () => {
    const to = entry([1, 1, 1, 1], 2, 2, { pooled: Float32Array.of(1) });
    const [short] = averageConditioning([to], [entry([3, 3], 1, 2, { pooled: Float32Array.of(3) })], 0.25);
    expect([...short!.embeddings]).toEqual([0.25 + 2.25, 0.25 + 2.25, 0.25, 0.25]);
    expect(short!.pooled![0]).toBeCloseTo(0.25 + 2.25);
    const [long] = averageConditioning(
      [entry([1, 1], 1, 2)],
      [entry([5, 5, 9, 9], 2, 2, { pooled: Float32Array.of(7) })],
      0.5,
    );
    expect([...long!.embeddings]).toEqual([3, 3]);
    expect(long!.pooled![0]).toBe(7);
  });

  it('ConditioningZeroOut zeroes embeddings and pooled', () => {
    const [out] = zeroOutConditioning([entry([1, 2], 1, 2, { pooled: Float32Array.of(4), startPercent: 0.2 })]);
    expect([...out!.embeddings]).toEqual([0, 0]);
    expect([...out!.pooled!]).toEqual([0]);
    expect(out!.startPercent).toBe(0.2);
  });
});

describe('inpainting inputs', () => {
  it('VAEEncodeForInpaint grows the rounded mask with an even box as torch conv2d pads it', () => {
    const mask = { batch: 1, height: 10, width: 10, data: new Float32Array(100) };
    mask.data[5 * 10 + 5] = 0.6;
    // grow 6: padding 3, so output (y, x) sees rows y−3…y+2: the pixel at 5 marks 3…8 (one more before than after).
    const grown = growInpaintMask(mask, 6);
    const marked = (y: number, x: number): number => grown.data[y * 10 + x]!;
    expect(marked(3, 3)).toBe(1);
    expect(marked(8, 8)).toBe(1);
    expect(marked(2, 5)).toBe(0);
    expect(marked(9, 5)).toBe(0);
    expect([...growInpaintMask(mask, 0).data].filter((value) => value === 1)).toHaveLength(1);
  });

  it('greys the masked pixels after cropping image and mask to the VAE cell', () => {
    const image = { batch: 1, height: 10, width: 10, channels: 3 as const, data: new Float32Array(300).fill(0.9) };
    const mask = { batch: 1, height: 10, width: 10, data: new Float32Array(100) };
    mask.data[1 * 10 + 1] = 1; // becomes (0, 0) after the one-pixel crop
    const { masked, mask: sized } = maskPixelsForInpaint(image, mask, 8);
    expect(masked.width).toBe(8);
    expect(sized.data[0]).toBe(1);
    expect([...masked.data.subarray(0, 3)]).toEqual([0.5, 0.5, 0.5]);
    expect(masked.data[3]).toBeCloseTo(0.9);
  });

  it("gives 9-channel UNets [rounded mask, masked latent], or ones and SD's blank latent without a mask", () => {
    const grid: LatentGrid = { batch: 1, height: 1, width: 2, cell: 8 };
    const latent = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const withMask = inpaintConcat(
      { concatLatent: undefined, mask: { batch: 1, height: 1, width: 2, data: Float32Array.of(0.5, 0.7) } },
      latent,
      grid,
      4,
      0.18215,
    );
    expect([...withMask.subarray(0, 2)]).toEqual([0, 1]); // torch.round: half to even
    expect([...withMask.subarray(2)]).toEqual([...latent]);
    const blank = inpaintConcat({ concatLatent: undefined, mask: undefined }, latent, grid, 4, 0.18215);
    expect([...blank.subarray(0, 4)].map((v) => Math.round(v * 1e4) / 1e4)).toEqual([1, 1, 0.8223, 0.8223]);
    expect(blank[9]).toBeCloseTo(0.138);
  });

  it('picks batch items as resize_to_batch_size does', () => {
    expect([0, 1, 2, 3, 4].map((i) => resizedBatchIndex(3, 5, i))).toEqual([0, 0, 1, 2, 2]);
    expect([0, 1, 2].map((i) => resizedBatchIndex(5, 3, i))).toEqual([0, 2, 4]);
  });
});

describe('latent batches keep noise_mask and batch_index (LatentFromBatch, RepeatLatentBatch)', () => {
  const latent: Latent = {
    samples: { batch: 3, channels: 1, height: 1, width: 1, data: Float32Array.of(10, 11, 12) },
    noiseMask: { batch: 3, height: 1, width: 1, data: Float32Array.of(0.1, 0.2, 0.3) },
  };

  it('takes the items with their masks and numbers them', () => {
    const taken = latentFromBatch(latent, 1, 5);
    expect([...taken.samples.data]).toEqual([11, 12]);
    expect([...taken.noiseMask!.data].map((v) => Math.round(v * 10) / 10)).toEqual([0.2, 0.3]);
    expect(taken.batchIndex).toEqual([1, 2]);
    expect(latentFromBatch(taken, 1, 1).batchIndex).toEqual([2]);
  });

  it('repeats batch_index with an offset of its span', () => {
    const repeated = repeatLatent({ ...latent, batchIndex: [4, 5] }, 3);
    expect(repeated.batchIndex).toEqual([4, 5, 6, 7, 8, 9]);
    expect(repeated.noiseMask!.batch).toBe(9);
    expect(repeatLatent({ samples: latent.samples }, 2).batchIndex).toBeUndefined();
  });
});
