import { pythonRound } from './python-round.js';
import type { ImageBatch, MaskBatch } from '../../contract/socket-types.js';
import type { RasterU8 } from '../../../media/raster.js';

/**
 * The mask nodes of ComfyUI's comfy_extras/nodes_mask.py (and LoadImageMask), with its exact semantics: float32
 * arithmetic (a Float32Array store rounds like torch's float32 ops), Python slicing that clamps at the edges, and
 * torch's round-half-to-even. Pure.
 */

/** SolidMask: one [1, H, W] mask filled with `value`. */
export function solidMask(value: number, width: number, height: number): MaskBatch {
  return { batch: 1, height, width, data: new Float32Array(width * height).fill(value) };
}

/** ThresholdMask: 1 where the mask is above `value`, else 0; torch compares in float32, so the value is too. */
export function thresholdMask(mask: MaskBatch, value: number): MaskBatch {
  const threshold = Math.fround(value);
  return { ...mask, data: mask.data.map((v) => (v > threshold ? 1 : 0)) };
}

/** The span [start, end) that Python's `a[start:start + length]` keeps of `size` elements (non-negative start). */
function sliceSpan(start: number, length: number, size: number): { start: number; end: number } {
  return { start: Math.min(start, size), end: Math.min(start + length, size) };
}

/** CropMask's output size, as Python slicing gives it (0 when x or y lies past the edge). */
export function cropMaskSize(
  mask: { width: number; height: number },
  x: number,
  y: number,
  width: number,
  height: number,
): { width: number; height: number } {
  const cols = sliceSpan(x, width, mask.width);
  const rows = sliceSpan(y, height, mask.height);
  return { width: cols.end - cols.start, height: rows.end - rows.start };
}

/** CropMask: `mask[:, y:y + height, x:x + width]`; a crop that keeps nothing is an error rather than an empty mask. */
export function cropMask(mask: MaskBatch, x: number, y: number, width: number, height: number): MaskBatch {
  const size = cropMaskSize(mask, x, y, width, height);
  if (size.width === 0) throw new Error(`x: ${x} lies outside the ${mask.width} px wide mask`);
  if (size.height === 0) throw new Error(`y: ${y} lies outside the ${mask.height} px high mask`);
  const data = new Float32Array(mask.batch * size.width * size.height);
  for (let b = 0; b < mask.batch; b++) {
    for (let row = 0; row < size.height; row++) {
      const from = (b * mask.height + y + row) * mask.width + x;
      data.set(mask.data.subarray(from, from + size.width), (b * size.height + row) * size.width);
    }
  }
  return { batch: mask.batch, height: size.height, width: size.width, data };
}

export const maskCompositeOperations = ['multiply', 'add', 'subtract', 'and', 'or', 'xor'] as const;
export type MaskCompositeOperation = (typeof maskCompositeOperations)[number];

/** A value as torch's `.round().bool()` sees it. */
function truthy(value: number): boolean {
  return pythonRound(value) !== 0;
}

function combine(operation: MaskCompositeOperation, d: number, s: number): number {
  switch (operation) {
    case 'multiply':
      return d * s;
    case 'add':
      return d + s;
    case 'subtract':
      return d - s;
    case 'and':
      return truthy(d) && truthy(s) ? 1 : 0;
    case 'or':
      return truthy(d) || truthy(s) ? 1 : 0;
    case 'xor':
      return truthy(d) !== truthy(s) ? 1 : 0;
  }
}

/**
 * MaskComposite: combines `source`, placed with its top-left at (x, y), into the part of `destination` it covers,
 * then clamps the whole result to 0..1. The output has the destination's batch; a source batch of 1 applies to every
 * item (torch broadcasting), any other batch must match.
 */
export function maskComposite(
  destination: MaskBatch,
  source: MaskBatch,
  x: number,
  y: number,
  operation: MaskCompositeOperation,
): MaskBatch {
  if (source.batch !== 1 && source.batch !== destination.batch)
    throw new Error(
      `source: a batch of ${source.batch} masks cannot combine with a destination batch of ${destination.batch}`,
    );
  const data = Float32Array.from(destination.data);
  const right = Math.min(x + source.width, destination.width);
  const bottom = Math.min(y + source.height, destination.height);
  const destPlane = destination.width * destination.height;
  const srcPlane = source.width * source.height;
  for (let b = 0; b < destination.batch; b++) {
    const srcItem = source.batch === 1 ? 0 : b;
    for (let row = y; row < bottom; row++) {
      for (let col = x; col < right; col++) {
        const o = b * destPlane + row * destination.width + col;
        const s = source.data[srcItem * srcPlane + (row - y) * source.width + (col - x)]!;
        data[o] = combine(operation, data[o]!, s);
      }
    }
  }
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, data[i]!));
  return { ...destination, data };
}

/**
 * FeatherMask, ramp for ramp as ComfyUI writes it: the left ramp multiplies column x by (x + 1) / left; the right
 * ramp indexes columns from the end as `-x`, so its first step (x = 0) lands on column 0, not the last column, and
 * the last column gets 2 / right. Top and bottom do the same for rows. Each rate is a float32 scalar.
 */
export function featherMask(mask: MaskBatch, left: number, top: number, right: number, bottom: number): MaskBatch {
  const { width, height } = mask;
  const data = Float32Array.from(mask.data);
  const l = Math.min(left, width);
  const r = Math.min(right, width);
  const t = Math.min(top, height);
  const bo = Math.min(bottom, height);
  const plane = width * height;
  const scaleColumn = (col: number, rate: number): void => {
    for (let b = 0; b < mask.batch; b++)
      for (let row = 0; row < height; row++) data[b * plane + row * width + col]! *= rate;
  };
  const scaleRow = (row: number, rate: number): void => {
    for (let b = 0; b < mask.batch; b++)
      for (let col = 0; col < width; col++) data[b * plane + row * width + col]! *= rate;
  };
  // Python's a[-0] is a[0]; a[-k] is a[size - k].
  const fromEnd = (k: number, size: number): number => (k === 0 ? 0 : size - k);
  for (let x = 0; x < l; x++) scaleColumn(x, Math.fround((x + 1) / l));
  for (let x = 0; x < r; x++) scaleColumn(fromEnd(x, width), Math.fround((x + 1) / r));
  for (let y = 0; y < t; y++) scaleRow(y, Math.fround((y + 1) / t));
  for (let y = 0; y < bo; y++) scaleRow(fromEnd(y, height), Math.fround((y + 1) / bo));
  return { ...mask, data };
}

/**
 * One pass of scipy's grey_dilation (grow) or grey_erosion (shrink) with a 3×3 footprint: the cross when
 * `tapered`, else the full square. scipy's default 'reflect' border repeats the edge pixel, which is always inside
 * the footprint already, so out-of-range neighbours can simply be skipped.
 */
function morphPass(
  src: Float32Array,
  out: Float32Array,
  width: number,
  height: number,
  grow: boolean,
  tapered: boolean,
): void {
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      let best = src[row * width + col]!;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = row + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if (tapered && dx !== 0 && dy !== 0) continue;
          const nx = col + dx;
          if (nx < 0 || nx >= width) continue;
          const v = src[ny * width + nx]!;
          if (grow ? v > best : v < best) best = v;
        }
      }
      out[row * width + col] = best;
    }
  }
}

/** GrowMask: |expand| passes of dilation (expand > 0) or erosion (expand < 0), each mask of the batch on its own. */
export function growMask(mask: MaskBatch, expand: number, taperedCorners: boolean): MaskBatch {
  const { width, height } = mask;
  const plane = width * height;
  const data = Float32Array.from(mask.data);
  if (expand === 0) return { ...mask, data };
  let current = new Float32Array(plane);
  let next = new Float32Array(plane);
  for (let b = 0; b < mask.batch; b++) {
    current.set(data.subarray(b * plane, (b + 1) * plane));
    for (let pass = 0; pass < Math.abs(expand); pass++) {
      morphPass(current, next, width, height, expand > 0, taperedCorners);
      [current, next] = [next, current];
      // A pass that changes nothing is a fixed point: the passes left would change nothing either.
      if (current.every((v, i) => v === next[i])) break;
    }
    data.set(current, b * plane);
  }
  return { ...mask, data };
}

/**
 * ImageColorToMask: each pixel's RGB as 8-bit values (clamped, ×255 in float32, rounded half to even) packed as
 * R << 16 | G << 8 | B; where that equals `color` the mask is 255 — ComfyUI's value, not 1 — else 0.
 */
export function imageColorToMask(image: ImageBatch, color: number): MaskBatch {
  const pixels = image.batch * image.height * image.width;
  const data = new Float32Array(pixels);
  const byte = (v: number): number => pythonRound(Math.fround(Math.min(1, Math.max(0, v)) * 255));
  for (let p = 0; p < pixels; p++) {
    const i = p * image.channels;
    const packed = byte(image.data[i]!) * 65536 + byte(image.data[i + 1]!) * 256 + byte(image.data[i + 2]!);
    data[p] = packed === color ? 255 : 0;
  }
  return { batch: image.batch, height: image.height, width: image.width, data };
}

export const loadImageMaskChannels = ['alpha', 'red', 'green', 'blue'] as const;
export type LoadImageMaskChannel = (typeof loadImageMaskChannels)[number];

/**
 * LoadImageMask: one channel of the image as RGBA (an opaque image has alpha 255) divided by 255 in float32;
 * the alpha channel is inverted (1 − a), the colour channels are not.
 */
export function rasterChannelMask(raster: RasterU8, channel: LoadImageMaskChannel): MaskBatch {
  const pixels = raster.width * raster.height;
  const data = new Float32Array(pixels);
  if (channel === 'alpha') {
    for (let p = 0; p < pixels; p++) {
      const alpha = raster.channels === 4 ? raster.data[p * 4 + 3]! : 255;
      data[p] = 1 - Math.fround(alpha / 255);
    }
  } else {
    const offset = channel === 'red' ? 0 : channel === 'green' ? 1 : 2;
    for (let p = 0; p < pixels; p++) data[p] = raster.data[p * raster.channels + offset]! / 255;
  }
  return { batch: 1, height: raster.height, width: raster.width, data };
}
