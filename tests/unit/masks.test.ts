import { describe, expect, it } from 'vitest';
import { createImageBatch } from '../../nodes/runtime/image/image-batch.js';
import type { MaskBatch } from '../../nodes/contract/socket-types.js';
import {
  compositeMasked,
  imageToMask,
  invertMask,
  joinImageWithAlpha,
  maskToImage,
  overlayMask,
} from '../../nodes/runtime/image/masks.js';

const mask = (values: number[], width = values.length): MaskBatch => ({
  batch: 1,
  height: values.length / width,
  width,
  data: Float32Array.from(values),
});

describe('mask operations (ComfyUI semantics)', () => {
  it('converts masks and images both ways, and inverts', () => {
    const image = maskToImage(mask([0, 0.5, 1]));
    expect(Array.from(image.data)).toEqual([0, 0, 0, 0.5, 0.5, 0.5, 1, 1, 1]);
    const rgba = createImageBatch(1, 1, 2, 4);
    rgba.data.set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
    expect(Array.from(imageToMask(rgba, 'green').data)).toEqual([Math.fround(0.2), Math.fround(0.6)]);
    expect(Array.from(imageToMask(rgba, 'alpha').data)).toEqual([Math.fround(0.4), Math.fround(0.8)]);
    expect(() => imageToMask(image, 'alpha')).toThrow(/no alpha/);
    expect(Array.from(invertMask(mask([0, 0.25])).data)).toEqual([1, 0.75]);
  });

  it('joins an image with alpha = 1 − mask, resizing the mask to the image', () => {
    const image = createImageBatch(1, 1, 2, 3);
    image.data.fill(0.5);
    const joined = joinImageWithAlpha(image, mask([1, 0]));
    expect(joined.channels).toBe(4);
    expect(Array.from(joined.data)).toEqual([0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 1]);
  });

  it('composites a source at x, y through a mask, clipping at the edges', () => {
    const destination = createImageBatch(1, 2, 3, 3);
    const source = createImageBatch(1, 1, 2, 3);
    source.data.fill(1);
    const out = compositeMasked(destination, source, 2, 1, false, mask([1, 1]));
    const red = Array.from({ length: 6 }, (_, p) => out.data[p * 3]);
    expect(red).toEqual([0, 0, 0, 0, 0, 1]);
    const half = compositeMasked(destination, source, 0, 0, false, mask([0.5, 0]));
    expect([half.data[0], half.data[3]]).toEqual([0.5, 0]);
    const stretched = compositeMasked(destination, source, 0, 0, true, undefined);
    expect(Array.from(stretched.data).every((value) => value === 1)).toBe(true);
  });

  it('overlays a mask in colour at half opacity', () => {
    const image = createImageBatch(1, 1, 1, 3);
    const out = overlayMask(image, mask([1]), [1, 0, 0]);
    expect(Array.from(out.data)).toEqual([0.5, 0, 0]);
  });
});
