import { createImageBatch } from './image-batch.js';
import type { ImageBatch, MaskBatch } from '../../contract/socket-types.js';
import { resizePixels } from './resize.js';

/** Mask and compositing operations with ComfyUI's semantics. Pure. */

export function maskToImage(mask: MaskBatch): ImageBatch {
  const image = createImageBatch(mask.batch, mask.height, mask.width, 3);
  for (let i = 0; i < mask.data.length; i++) image.data.fill(mask.data[i]!, i * 3, i * 3 + 3);
  return image;
}

export const maskChannels = ['red', 'green', 'blue', 'alpha'] as const;
export type MaskChannel = (typeof maskChannels)[number];

export function imageToMask(image: ImageBatch, channel: MaskChannel): MaskBatch {
  const index = maskChannels.indexOf(channel);
  if (index === 3 && image.channels === 3) throw new Error('channel: the image has no alpha channel');
  const pixels = image.batch * image.height * image.width;
  const data = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) data[i] = image.data[i * image.channels + index]!;
  return { batch: image.batch, height: image.height, width: image.width, data };
}

export function invertMask(mask: MaskBatch): MaskBatch {
  return { ...mask, data: mask.data.map((value) => 1 - value) };
}

/** A mask resized (bilinear) to a size, for masks and images that disagree. */
export function resizeMask(mask: MaskBatch, width: number, height: number): MaskBatch {
  if (mask.width === width && mask.height === height) return mask;
  const resized = resizePixels(
    { batch: mask.batch, height: mask.height, width: mask.width, channels: 1, data: mask.data },
    width,
    height,
    'bilinear',
    'disabled',
  );
  return { batch: mask.batch, height, width, data: resized.data };
}

/** The i-th item of a batch, repeating the last one when the batch is shorter (ComfyUI's broadcasting). */
function itemIndex(batch: number, index: number): number {
  return Math.min(index, batch - 1);
}

/** RGBA cut-out: ComfyUI's JoinImageWithAlpha sets alpha = 1 − mask. */
export function joinImageWithAlpha(image: ImageBatch, alpha: MaskBatch): ImageBatch {
  const mask = resizeMask(alpha, image.width, image.height);
  const batch = Math.max(image.batch, mask.batch);
  const out = createImageBatch(batch, image.height, image.width, 4);
  const plane = image.height * image.width;
  for (let b = 0; b < batch; b++) {
    const source = itemIndex(image.batch, b) * plane;
    const maskItem = itemIndex(mask.batch, b) * plane;
    for (let p = 0; p < plane; p++) {
      const o = (b * plane + p) * 4;
      for (let c = 0; c < 3; c++) out.data[o + c] = image.data[(source + p) * image.channels + c]!;
      out.data[o + 3] = 1 - mask.data[maskItem + p]!;
    }
  }
  return out;
}

/**
 * Pastes `source` onto `destination` at (x, y), through `mask` when given (1 = source), as ComfyUI's
 * ImageCompositeMasked; `resizeSource` scales the source to the destination first.
 */
export function compositeMasked(
  destination: ImageBatch,
  source: ImageBatch,
  x: number,
  y: number,
  resizeSource: boolean,
  mask: MaskBatch | undefined,
): ImageBatch {
  let src = source;
  if (resizeSource && (src.width !== destination.width || src.height !== destination.height)) {
    const resized = resizePixels(src, destination.width, destination.height, 'bilinear', 'disabled');
    src = { ...resized, channels: src.channels };
  }
  const m = mask ? resizeMask(mask, src.width, src.height) : undefined;
  const batch = Math.max(destination.batch, src.batch);
  const channels = destination.channels;
  const out = createImageBatch(batch, destination.height, destination.width, channels);
  const destPlane = destination.height * destination.width;
  const srcPlane = src.height * src.width;
  for (let b = 0; b < batch; b++) {
    out.data.set(
      destination.data.subarray(
        itemIndex(destination.batch, b) * destPlane * channels,
        (itemIndex(destination.batch, b) + 1) * destPlane * channels,
      ),
      b * destPlane * channels,
    );
    const srcItem = itemIndex(src.batch, b);
    const maskItem = m ? itemIndex(m.batch, b) : 0;
    for (let sy = 0; sy < src.height; sy++) {
      const dy = y + sy;
      if (dy < 0 || dy >= destination.height) continue;
      for (let sx = 0; sx < src.width; sx++) {
        const dx = x + sx;
        if (dx < 0 || dx >= destination.width) continue;
        const weight = m ? m.data[maskItem * srcPlane + sy * src.width + sx]! : 1;
        const o = ((b * destination.height + dy) * destination.width + dx) * channels;
        const s = ((srcItem * src.height + sy) * src.width + sx) * src.channels;
        for (let c = 0; c < Math.min(3, channels); c++)
          out.data[o + c] = out.data[o + c]! * (1 - weight) + src.data[s + c]! * weight;
      }
    }
  }
  return out;
}

/** The mask laid over the image in a colour (for MaskPreview), 0.5 opacity where the mask is 1. */
export function overlayMask(image: ImageBatch, mask: MaskBatch, colour: readonly [number, number, number]): ImageBatch {
  const m = resizeMask(mask, image.width, image.height);
  const batch = Math.max(image.batch, m.batch);
  const out = createImageBatch(batch, image.height, image.width, 3);
  const plane = image.height * image.width;
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < plane; p++) {
      const weight = 0.5 * m.data[itemIndex(m.batch, b) * plane + p]!;
      const s = (itemIndex(image.batch, b) * plane + p) * image.channels;
      for (let c = 0; c < 3; c++)
        out.data[(b * plane + p) * 3 + c] = image.data[s + c]! * (1 - weight) + colour[c]! * weight;
    }
  }
  return out;
}
