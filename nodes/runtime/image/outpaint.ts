import type { ImageBatch, MaskBatch } from '../../contract/socket-types.js';
import { createImageBatch } from './image-batch.js';

/** ImagePadForOutpaint (ComfyUI nodes.py): the image on a larger 0.5-grey canvas, and the mask of what to paint. */

export interface OutpaintPadding {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/**
 * The mask value at row i, column j of the original image (0 ≤ i < height, 0 ≤ j < width). d is the distance to the
 * nearest padded side (a side with no padding counts as the full height or width away); within `feathering` of it
 * the mask rises as ((feathering − d) / feathering)², else 0. ComfyUI feathers only when feathering > 0 and twice
 * it is less than both the height and the width.
 */
export function outpaintFeather(
  i: number,
  j: number,
  height: number,
  width: number,
  padding: OutpaintPadding,
  feathering: number,
): number {
  if (!(feathering > 0 && feathering * 2 < height && feathering * 2 < width)) return 0;
  const dt = padding.top !== 0 ? i : height;
  const db = padding.bottom !== 0 ? height - i : height;
  const dl = padding.left !== 0 ? j : width;
  const dr = padding.right !== 0 ? width - j : width;
  const d = Math.min(dt, db, dl, dr);
  if (d >= feathering) return 0;
  const v = (feathering - d) / feathering;
  return v * v;
}

/** The padded batch and its one mask (batch 1, as ComfyUI's 2-D mask): 1 on the new canvas, the feather inside. */
export function padForOutpaint(
  image: ImageBatch,
  padding: OutpaintPadding,
  feathering: number,
): { image: ImageBatch; mask: MaskBatch } {
  const { left, top, right, bottom } = padding;
  const height = image.height + top + bottom;
  const width = image.width + left + right;
  const c = image.channels;
  const out = createImageBatch(image.batch, height, width, c);
  out.data.fill(0.5);
  const rowLength = image.width * c;
  for (let b = 0; b < image.batch; b++)
    for (let y = 0; y < image.height; y++) {
      const from = (b * image.height + y) * rowLength;
      out.data.set(image.data.subarray(from, from + rowLength), ((b * height + top + y) * width + left) * c);
    }
  const data = new Float32Array(height * width).fill(1);
  for (let i = 0; i < image.height; i++)
    for (let j = 0; j < image.width; j++)
      data[(top + i) * width + left + j] = outpaintFeather(i, j, image.height, image.width, padding, feathering);
  return { image: out, mask: { batch: 1, height, width, data } };
}
