import { describe, expect, it } from 'vitest';
import { pythonRound } from '../../nodes/runtime/image/python-round.js';
import {
  bislerpLatent,
  blendLatents,
  compositeLatent,
  compositeLatentMasked,
  cropLatent,
  flipLatent,
  fromBatch,
  pySlice,
  repeatBatch,
  resizeLatent,
  rotateLatent,
  upscaleBySize,
} from '../../nodes/runtime/diffusion/latent-ops.js';
import type { Tensor4 } from '../../nodes/runtime/diffusion/types.js';
import { createRegistry } from '../../nodes/index.js';

function tensor(batch: number, channels: number, height: number, width: number, values: readonly number[]): Tensor4 {
  expect(values.length).toBe(batch * channels * height * width);
  return { batch, channels, height, width, data: Float32Array.from(values) };
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

describe('Python rounding and slicing', () => {
  it('rounds halves to even, as LatentUpscaleBy sizes latents', () => {
    expect([0.5, 1.5, 2.5, 3.5, 4.4, 4.6].map(pythonRound)).toEqual([0, 2, 2, 4, 4, 5]);
    // 3 × 1.5 = 4.5 → 4; 5 × 1.5 = 7.5 → 8
    expect(upscaleBySize(3, 5, 1.5)).toEqual({ width: 4, height: 8 });
  });
  it('slices as Python does, negative starts counted from the end', () => {
    expect(pySlice(-4, 4, 4)).toEqual({ start: 0, stop: 4 });
    expect(pySlice(2, 10, 4)).toEqual({ start: 2, stop: 4 });
    expect(pySlice(-1, 0, 3)).toEqual({ start: 2, stop: 2 });
  });
});

describe('batches', () => {
  it('RepeatLatentBatch tiles the whole batch', () => {
    const out = repeatBatch(tensor(2, 1, 1, 2, [1, 2, 3, 4]), 2);
    expect(out.batch).toBe(4);
    expect([...out.data]).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
  });
  it('LatentFromBatch clamps the index and the length into the batch', () => {
    const source = tensor(3, 1, 1, 1, [10, 20, 30]);
    expect([...fromBatch(source, 5, 2).data]).toEqual([30]);
    expect([...fromBatch(source, 1, 5).data]).toEqual([20, 30]);
    expect(fromBatch(source, 0, 2).batch).toBe(2);
  });
});

describe('transforms', () => {
  const plane = tensor(1, 1, 2, 3, [0, 1, 2, 3, 4, 5]);
  it('LatentFlip: x-axis mirrors rows, y-axis mirrors columns', () => {
    expect([...flipLatent(plane, 'x-axis: vertically').data]).toEqual([3, 4, 5, 0, 1, 2]);
    expect([...flipLatent(plane, 'y-axis: horizontally').data]).toEqual([2, 1, 0, 5, 4, 3]);
  });
  it('LatentRotate turns clockwise (rot90 over dims [3, 2])', () => {
    const quarter = rotateLatent(plane, '90 degrees');
    expect([quarter.height, quarter.width]).toEqual([3, 2]);
    expect([...quarter.data]).toEqual([3, 0, 4, 1, 5, 2]);
    expect([...rotateLatent(plane, '180 degrees').data]).toEqual([5, 4, 3, 2, 1, 0]);
    expect([...rotateLatent(plane, '270 degrees').data]).toEqual([2, 5, 1, 4, 0, 3]);
    expect(rotateLatent(plane, 'none')).toBe(plane);
  });
  it('LatentCrop holds the corner 8 cells from the far edges', () => {
    const big = tensor(1, 1, 10, 10, range(100));
    const out = cropLatent(big, 5, 9, 4, 2);
    // x = min(5, 10 − 8) = 2, y = min(9, 2) = 2
    expect([out.height, out.width]).toEqual([2, 4]);
    expect([...out.data]).toEqual([22, 23, 24, 25, 32, 33, 34, 35]);
  });
  it('LatentCrop of a latent under 8 cells keeps it whole (negative starts, Python slicing)', () => {
    const small = tensor(1, 1, 4, 4, range(16));
    const out = cropLatent(small, 0, 0, 8, 8);
    expect([out.height, out.width]).toEqual([4, 4]);
    expect([...out.data]).toEqual(range(16));
  });
  it('resizes latent planes without clamping them to 0..1', () => {
    const out = resizeLatent(tensor(1, 1, 1, 2, [-3, 5]), 4, 2, 'nearest-exact', 'disabled');
    expect([...out.data].map((v) => Math.round(v * 1e4) / 1e4)).toEqual([-3, -3, 5, 5, -3, -3, 5, 5]);
    const flat = resizeLatent(tensor(1, 1, 2, 2, [-7, -7, -7, -7]), 3, 3, 'bicubic', 'disabled');
    for (const v of flat.data) expect(v).toBeCloseTo(-7, 5);
  });
});

describe('bislerp', () => {
  it('slerps channel vectors along the width: ratios 0, .25, .75 between cells 0 and 1, then cell 1', () => {
    // Two channels, one row of two cells: (2, 0) and (0, 4), to four cells.
    const out = bislerpLatent(tensor(1, 2, 1, 2, [2, 0, 0, 4]), 4, 1);
    const [c0, c1] = [[...out.data.subarray(0, 4)], [...out.data.subarray(4, 8)]];
    // r = .25: direction (cos 22.5°, sin 22.5°) scaled by 2·.75 + 4·.25 = 2.5; r = .75: (sin, cos) × 3.5
    const cos = Math.cos(Math.PI / 8);
    const sin = Math.sin(Math.PI / 8);
    const expected0 = [2, 2.5 * cos, 3.5 * sin, 0];
    const expected1 = [0, 2.5 * sin, 3.5 * cos, 4];
    c0.forEach((v, i) => expect(v).toBeCloseTo(expected0[i]!, 5));
    c1.forEach((v, i) => expect(v).toBeCloseTo(expected1[i]!, 5));
  });
  it('keeps a same-size latent, zero vectors included', () => {
    const source = tensor(1, 2, 2, 2, [1, 0, -2, 3, 0, 0, 5, 1]);
    const out = bislerpLatent(source, 2, 2);
    [...out.data].forEach((v, i) => expect(v).toBeCloseTo(source.data[i]!, 6));
  });
});

describe('LatentComposite', () => {
  it('pastes without feather, cut at the destination edge', () => {
    const out = compositeLatent(tensor(1, 1, 4, 4, Array(16).fill(0)), tensor(1, 1, 2, 2, [1, 1, 1, 1]), 3, 1, 0);
    expect([...out.data]).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
  });
  it('feathers the inner edges only: (t + 1) / feather on each of the first rows and columns', () => {
    const out = compositeLatent(tensor(1, 1, 4, 4, Array(16).fill(2)), tensor(1, 1, 4, 4, Array(16).fill(1)), 1, 1, 2);
    // mask over the 3×3 window: [[.25, .5, .5], [.5, 1, 1], [.5, 1, 1]]; out = 1·m + 2·(1 − m)
    expect([...out.data]).toEqual([2, 2, 2, 2, 2, 1.75, 1.5, 1.5, 2, 1.5, 1, 1, 2, 1.5, 1, 1]);
  });
  it('names the node on a batch mismatch', () => {
    expect(() => compositeLatent(tensor(2, 1, 1, 1, [0, 0]), tensor(3, 1, 1, 1, [1, 1, 1]), 0, 0, 0)).toThrow(
      /LatentComposite: samples_to and samples_from have batch sizes 2 and 3/,
    );
  });
});

describe('LatentCompositeMasked', () => {
  it('cycles the source over the batch and weighs it by the mask, x in pixels / cell', () => {
    const destination = tensor(3, 1, 2, 4, Array(24).fill(0));
    const source = tensor(2, 1, 2, 2, [1, 1, 1, 1, 2, 2, 2, 2]);
    const mask = { batch: 1, height: 2, width: 2, data: Float32Array.from([1, 0, 0.5, 1]) };
    const out = compositeLatentMasked(destination, source, 12, 0, 8, false, mask);
    const item = (b: number): number[] => [...out.data.subarray(b * 8, b * 8 + 8)];
    expect(item(0)).toEqual([0, 1, 0, 0, 0, 0.5, 1, 0]);
    expect(item(1)).toEqual([0, 2, 0, 0, 0, 1, 2, 0]);
    expect(item(2)).toEqual(item(0));
  });
  it('pastes nothing past the far edge, and resizes the source when asked', () => {
    const destination = tensor(1, 1, 2, 2, [0, 0, 0, 0]);
    expect([...compositeLatentMasked(destination, tensor(1, 1, 1, 1, [5]), 100, 0, 8, false, undefined).data]).toEqual([
      0, 0, 0, 0,
    ]);
    const resized = compositeLatentMasked(destination, tensor(1, 1, 1, 1, [5]), 0, 0, 8, true, undefined);
    for (const v of resized.data) expect(v).toBeCloseTo(5, 5);
  });
  it('names the node on a channel mismatch', () => {
    expect(() =>
      compositeLatentMasked(tensor(1, 4, 1, 1, [0, 0, 0, 0]), tensor(1, 1, 1, 1, [1]), 0, 0, 8, false, undefined),
    ).toThrow(/LatentCompositeMasked: destination and source have 4 and 1 channels/);
  });
});

describe('LatentBlend', () => {
  it('mixes samples1 · factor + samples2 · (1 − factor)', () => {
    const out = blendLatents(tensor(1, 1, 1, 2, [1, 2]), tensor(1, 1, 1, 2, [3, 5]), 0.25);
    expect([...out.data]).toEqual([2.5, 4.25]);
  });
  it('broadcasts a batch of one and resizes a differently sized samples2', () => {
    const out = blendLatents(tensor(2, 1, 1, 1, [0, 4]), tensor(1, 1, 2, 2, [2, 2, 2, 2]), 0.5);
    expect(out.batch).toBe(2);
    expect(out.data[0]).toBeCloseTo(1, 5);
    expect(out.data[1]).toBeCloseTo(3, 5);
  });
  it('names the node on mismatched batches', () => {
    expect(() => blendLatents(tensor(2, 1, 1, 1, [0, 0]), tensor(3, 1, 1, 1, [0, 0, 0]), 0.5)).toThrow(
      /LatentBlend: samples1 and samples2 have batch sizes 2 and 3/,
    );
  });
});

describe('node definitions as ComfyUI declares them', () => {
  const registry = createRegistry();
  it('registers every primitive and latent node with ComfyUI categories', () => {
    const categories = Object.fromEntries(
      [
        'PrimitiveInt',
        'PrimitiveFloat',
        'PrimitiveBoolean',
        'PrimitiveString',
        'LatentUpscaleBy',
        'RepeatLatentBatch',
        'LatentFromBatch',
        'LatentComposite',
        'LatentCompositeMasked',
        'LatentBlend',
        'LatentCrop',
        'LatentFlip',
        'LatentRotate',
      ].map((name) => [name, registry.get(name)?.category]),
    );
    expect(categories).toEqual({
      PrimitiveInt: 'utils/primitive',
      PrimitiveFloat: 'utils/primitive',
      PrimitiveBoolean: 'utils/primitive',
      PrimitiveString: 'utils/primitive',
      LatentUpscaleBy: 'latent',
      RepeatLatentBatch: 'latent/batch',
      LatentFromBatch: 'latent/batch',
      LatentComposite: 'latent',
      LatentCompositeMasked: 'latent',
      LatentBlend: '_for_testing',
      LatentCrop: 'latent/transform',
      LatentFlip: 'latent/transform',
      LatentRotate: 'latent/transform',
    });
  });
  it('keeps ComfyUI input order and defaults', () => {
    expect(Object.keys(registry.get('LatentCompositeMasked')!.inputs)).toEqual([
      'destination',
      'source',
      'x',
      'y',
      'resize_source',
      'mask',
    ]);
    expect(Object.keys(registry.get('LatentCrop')!.inputs)).toEqual(['samples', 'width', 'height', 'x', 'y']);
    expect(registry.get('LatentUpscaleBy')!.inputs['scale_by']).toMatchObject({ default: 1.5, min: 0.01, max: 8 });
    expect(registry.get('PrimitiveFloat')!.inputs['value']).toMatchObject({ step: 0.1 });
  });
});
