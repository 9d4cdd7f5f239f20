import { afterAll, describe, expect, it } from 'vitest';
import { ImagePadForOutpaint } from '../../nodes/image/image-pad-for-outpaint.js';
import { createImageBatch } from '../../nodes/runtime/image/image-batch.js';
import { outpaintFeather, padForOutpaint } from '../../nodes/runtime/image/outpaint.js';
import { makeTestEnv } from '../helpers/env.js';

const env = makeTestEnv('inkgraph-outpaint-');
afterAll(() => env.cleanup());

/** A w×h RGB image whose pixel (x, y) holds (x/10, y/10, 0.9). */
function ramp(width: number, height: number, batch = 1) {
  const image = createImageBatch(batch, height, width, 3);
  for (let b = 0; b < batch; b++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) image.data.set([x / 10, y / 10, 0.9], ((b * height + y) * width + x) * 3);
  return image;
}

describe("ImagePadForOutpaint's feathering (ComfyUI nodes.py)", () => {
  // 10×10 image padded left and bottom, feathering 4: d = min(j, 10 − i) (top and right unpadded count as 10).
  const padding = { left: 8, top: 0, right: 0, bottom: 8 };
  const at = (i: number, j: number) => outpaintFeather(i, j, 10, 10, padding, 4);

  it('rises as ((f − d) / f)² towards a padded side', () => {
    // Row 0, columns 0..4: d = 0, 1, 2, 3, 4 → 1, (3/4)² = 0.5625, (2/4)² = 0.25, (1/4)² = 0.0625, 0.
    expect([0, 1, 2, 3, 4].map((j) => at(0, j))).toEqual([1, 0.5625, 0.25, 0.0625, 0]);
    // The unpadded top and right are 10 away: nothing there.
    expect(at(0, 9)).toBe(0);
    expect(at(5, 5)).toBe(0);
  });

  it('never reaches 1 at the bottom edge: its distance is height − i, at least 1', () => {
    // Row 9: d = 10 − 9 = 1 → 0.5625 along the row; column 0 still d = 0 → 1.
    expect([0, 1, 5, 9].map((j) => at(9, j))).toEqual([1, 0.5625, 0.5625, 0.5625]);
    // Row 7: d = 3 → 0.0625.
    expect(at(7, 6)).toBe(0.0625);
  });

  it('feathers nothing when feathering is 0 or twice it reaches the height or width', () => {
    expect(outpaintFeather(0, 0, 10, 10, padding, 0)).toBe(0);
    expect(outpaintFeather(0, 0, 10, 10, padding, 5)).toBe(0);
    expect(outpaintFeather(0, 0, 10, 12, padding, 5)).toBe(0);
    expect(outpaintFeather(0, 0, 12, 12, padding, 5)).toBe(1);
  });
});

describe('padForOutpaint', () => {
  it('places the image on a 0.5 canvas, with a mask of 1 outside it', () => {
    // 2×2 image, left 1, top 2, right 0, bottom 1 → 3 wide, 5 tall; no feathering (2·1 is not < 2).
    const { image, mask } = padForOutpaint(ramp(2, 2, 2), { left: 1, top: 2, right: 0, bottom: 1 }, 1);
    expect(image).toMatchObject({ batch: 2, width: 3, height: 5, channels: 3 });
    const pixel = (b: number, x: number, y: number) =>
      Array.from(image.data.subarray(((b * 5 + y) * 3 + x) * 3, ((b * 5 + y) * 3 + x) * 3 + 3));
    expect(pixel(0, 0, 0)).toEqual([0.5, 0.5, 0.5]);
    expect(pixel(1, 0, 2)).toEqual([0.5, 0.5, 0.5]);
    expect(pixel(1, 2, 4)).toEqual([0.5, 0.5, 0.5]);
    // Image pixel (1, 1) lands at (2, 3): (0.1, 0.1, 0.9).
    expect(pixel(1, 2, 3)).toEqual(Array.from(new Float32Array([0.1, 0.1, 0.9])));
    expect(pixel(0, 1, 2)).toEqual(Array.from(new Float32Array([0, 0, 0.9])));
    expect(mask).toMatchObject({ batch: 1, width: 3, height: 5 });
    expect(Array.from(mask.data)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1]);
  });

  it('writes the feather inside the image area of the mask', () => {
    // 6×6 image padded 2 on the left only, feathering 2: columns j = 0, 1 → 1, 0.25; the rest 0.
    const { mask } = padForOutpaint(ramp(6, 6), { left: 2, top: 0, right: 0, bottom: 0 }, 2);
    expect(mask.width).toBe(8);
    expect(Array.from(mask.data.subarray(0, 8))).toEqual([1, 1, 1, 0.25, 0, 0, 0, 0]);
    expect(Array.from(mask.data.subarray(40, 48))).toEqual([1, 1, 1, 0.25, 0, 0, 0, 0]);
  });

  it('estimates both outputs from the widgets', () => {
    const memory = ImagePadForOutpaint.estimate(
      {
        image: { kind: 'image', batch: 2, height: 64, width: 32, channels: 3 },
        left: 8,
        top: 16,
        right: 0,
        bottom: 8,
        feathering: 40,
      },
      { env, memoryBudgetBytes: Number.POSITIVE_INFINITY },
    );
    expect(memory.outputs).toEqual([
      { kind: 'image', batch: 2, height: 88, width: 40, channels: 3 },
      { kind: 'mask', batch: 1, height: 88, width: 40 },
    ]);
  });
});
