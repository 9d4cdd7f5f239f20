import { describe, expect, it } from 'vitest';
import { pythonRound } from '../../nodes/runtime/image/python-round.js';
import { createImageBatch } from '../../nodes/runtime/image/image-batch.js';
import type { MaskBatch } from '../../nodes/contract/socket-types.js';
import {
  cropMask,
  cropMaskSize,
  featherMask,
  growMask,
  imageColorToMask,
  maskComposite,
  rasterChannelMask,
  solidMask,
  thresholdMask,
} from '../../nodes/runtime/image/mask-ops.js';

const f = Math.fround;

/** A mask from rows of values; `batch` items of `values.length / (width × batch)` rows. */
const mask = (values: number[], width = values.length, batch = 1): MaskBatch => ({
  batch,
  height: values.length / width / batch,
  width,
  data: Float32Array.from(values),
});
const values = (m: MaskBatch): number[] => Array.from(m.data);

describe('pythonRound (torch.round)', () => {
  it('sends halves to the even neighbour', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 0.49, 0.51].map(pythonRound)).toEqual([0, 2, 2, 0, -2, 0, 1]);
  });
});

describe('SolidMask', () => {
  it('is one [1, H, W] mask of the float32 value', () => {
    const m = solidMask(0.3, 3, 2);
    expect([m.batch, m.height, m.width]).toEqual([1, 2, 3]);
    expect(values(m)).toEqual(Array<number>(6).fill(f(0.3)));
  });
});

describe('ThresholdMask', () => {
  it('is 1 strictly above the value, compared in float32', () => {
    // f(0.3) is above the double 0.3, but torch compares it with the value cast to float32: equal, so 0.
    expect(values(thresholdMask(mask([0.2, f(0.3), 0.31, 1, 0]), 0.3))).toEqual([0, 0, 1, 1, 0]);
  });
});

describe('CropMask', () => {
  const grid = mask([0, 1, 2, 3, 4, 5, 6, 7, 8], 3);
  it('keeps mask[:, y:y+h, x:x+w], stopping at the edges like Python slicing', () => {
    const out = cropMask(grid, 1, 1, 5, 5);
    expect([out.height, out.width]).toEqual([2, 2]);
    expect(values(out)).toEqual([4, 5, 7, 8]);
    expect(values(cropMask(grid, 0, 2, 2, 1))).toEqual([6, 7]);
  });
  it('crops every item of a batch', () => {
    const out = cropMask(mask([1, 2, 3, 4, 5, 6, 7, 8], 2, 2), 1, 0, 1, 2);
    expect([out.batch, out.height, out.width]).toEqual([2, 2, 1]);
    expect(values(out)).toEqual([2, 4, 6, 8]);
  });
  it('refuses a crop that keeps nothing, naming the field', () => {
    expect(cropMaskSize(grid, 3, 0, 1, 1)).toEqual({ width: 0, height: 1 });
    expect(() => cropMask(grid, 3, 0, 1, 1)).toThrow(/^x: /);
    expect(() => cropMask(grid, 0, 7, 1, 1)).toThrow(/^y: /);
  });
});

describe('MaskComposite', () => {
  it('combines only where the source lands, then clamps everything to 0..1', () => {
    const destination = mask(Array<number>(6).fill(0.5), 3);
    const out = maskComposite(destination, mask([1, 1, 1, 1], 2), 2, 1, 'add');
    expect(values(out)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 1]);
    // Outside the source's footprint the destination is clamped too.
    expect(values(maskComposite(mask([2, -1]), mask([0]), 0, 0, 'add'))).toEqual([1, 0]);
    expect(values(maskComposite(mask([0.25, 0.75]), mask([0.5, 0.5]), 0, 0, 'subtract'))).toEqual([0, 0.25]);
  });
  it('multiplies, and rounds half to even before the logical operations', () => {
    const destination = mask([0.5, 0.6, 1, 0]);
    const source = mask([1, 1, 0.4, 1]);
    expect(values(maskComposite(destination, source, 0, 0, 'multiply'))).toEqual([0.5, f(0.6), f(0.4), 0]);
    // round(0.5) = 0 and round(0.4) = 0 are false; 0.6 and 1 are true.
    expect(values(maskComposite(destination, source, 0, 0, 'and'))).toEqual([0, 1, 0, 0]);
    expect(values(maskComposite(destination, source, 0, 0, 'or'))).toEqual([1, 1, 1, 1]);
    expect(values(maskComposite(destination, source, 0, 0, 'xor'))).toEqual([1, 0, 1, 1]);
  });
  it('applies a one-item source to every destination item and refuses other mismatched batches', () => {
    const out = maskComposite(mask([0, 0, 0, 0], 2, 2), mask([1]), 1, 0, 'add');
    expect(values(out)).toEqual([0, 1, 0, 1]);
    expect(() => maskComposite(mask([0]), mask([1, 1], 1, 2), 0, 0, 'add')).toThrow(/^source: /);
  });
  it('changes nothing but the clamp when the source lies beyond the destination', () => {
    expect(values(maskComposite(mask([0.5, 3]), mask([1]), 2, 0, 'add'))).toEqual([0.5, 1]);
  });
});

describe('FeatherMask', () => {
  const ones = (n: number, width: number): MaskBatch => mask(Array<number>(n).fill(1), width);
  it('ramps the left columns by (x + 1) / left, clamped to the width', () => {
    expect(values(featherMask(ones(4, 4), 2, 0, 0, 0))).toEqual([0.5, 1, 1, 1]);
    expect(values(featherMask(ones(2, 2), 5, 0, 0, 0))).toEqual([0.5, 1]);
  });
  it("indexes the right ramp as ComfyUI's output[:, :, -x]: step 0 lands on column 0", () => {
    expect(values(featherMask(ones(4, 4), 0, 0, 3, 0))).toEqual([f(1 / 3), 1, 1, f(2 / 3)]);
  });
  it('ramps rows the same way (top from row 0; bottom from row -0 = row 0)', () => {
    expect(values(featherMask(ones(4, 1), 0, 2, 0, 0))).toEqual([0.5, 1, 1, 1]);
    expect(values(featherMask(ones(3, 1), 0, 0, 0, 3))).toEqual([f(1 / 3), 1, f(2 / 3)]);
  });
});

describe('GrowMask', () => {
  const dot = mask([0, 0, 0, 0, 1, 0, 0, 0, 0], 3);
  it('dilates with the cross when tapered, the full square otherwise', () => {
    expect(values(growMask(dot, 1, true))).toEqual([0, 1, 0, 1, 1, 1, 0, 1, 0]);
    expect(values(growMask(dot, 1, false))).toEqual(Array<number>(9).fill(1));
    expect(values(growMask(dot, 0, true))).toEqual(values(dot));
  });
  it('erodes for a negative expand, with the border repeating the edge (scipy reflect), not zero', () => {
    const cornerHole = mask([0, 1, 1, 1, 1, 1, 1, 1, 1], 3);
    expect(values(growMask(cornerHole, -1, true))).toEqual([0, 0, 1, 0, 1, 1, 1, 1, 1]);
    expect(values(growMask(mask(Array<number>(9).fill(1), 3), -1, true))).toEqual(Array<number>(9).fill(1));
  });
  it('repeats the pass |expand| times, takes the grey maximum, and treats each batch item alone', () => {
    const big = new Array<number>(25).fill(0);
    big[12] = 1;
    const grown = growMask(mask(big, 5), 2, true);
    expect(values(grown).filter((v) => v === 1)).toHaveLength(13); // a diamond of radius 2
    expect(values(growMask(mask([0.2, 0.7, 0], 3), 1, true))).toEqual([f(0.7), f(0.7), f(0.7)]);
    expect(values(growMask(mask([1, 0, 0, 0], 2, 2), 5, true))).toEqual([1, 1, 0, 0]);
  });
});

describe('ImageColorToMask', () => {
  it('packs R << 16 | G << 8 | B from clamped ×255 values rounded half to even, and marks matches 255', () => {
    const image = createImageBatch(1, 1, 4, 3);
    // 126.5 / 255 × 255 is 126.5 in float32: torch rounds it to 126 (Math.round would say 127).
    image.data.set([1.5, 0, -0.2, 0.5, 0.5, 0.5, f(126.5 / 255), 0, 0, 1, 1, f(100 / 255)]);
    expect(values(imageColorToMask(image, 0xff0000))).toEqual([255, 0, 0, 0]);
    expect(values(imageColorToMask(image, 0x808080))).toEqual([0, 255, 0, 0]);
    expect(values(imageColorToMask(image, 126 << 16))).toEqual([0, 0, 255, 0]);
    expect(values(imageColorToMask(image, 0xffff64))).toEqual([0, 0, 0, 255]);
  });
  it('ignores alpha and keeps the batch', () => {
    const image = createImageBatch(2, 1, 1, 4);
    image.data.set([0, 0, 0, 1, 0, 0, 1, 0]);
    const out = imageColorToMask(image, 0);
    expect([out.batch, out.height, out.width]).toEqual([2, 1, 1]);
    expect(values(out)).toEqual([255, 0]);
  });
});

describe('LoadImageMask channel', () => {
  const rgba = { width: 2, height: 1, channels: 4 as const, data: Uint8Array.from([255, 0, 128, 255, 10, 20, 30, 0]) };
  it('inverts alpha (1 − a / 255) and reads colour channels as they are', () => {
    expect(values(rasterChannelMask(rgba, 'alpha'))).toEqual([0, 1]);
    expect(values(rasterChannelMask(rgba, 'red'))).toEqual([1, f(10 / 255)]);
    expect(values(rasterChannelMask(rgba, 'green'))).toEqual([0, f(20 / 255)]);
    expect(values(rasterChannelMask(rgba, 'blue'))).toEqual([f(128 / 255), f(30 / 255)]);
    const m = rasterChannelMask(rgba, 'alpha');
    expect([m.batch, m.height, m.width]).toEqual([1, 1, 2]);
  });
  it('gives an opaque RGB image alpha 255, so its alpha mask is 0', () => {
    const rgb = { width: 2, height: 1, channels: 3 as const, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
    expect(values(rasterChannelMask(rgb, 'alpha'))).toEqual([0, 0]);
    expect(values(rasterChannelMask(rgb, 'blue'))).toEqual([f(3 / 255), f(6 / 255)]);
  });
});
