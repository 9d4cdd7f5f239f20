import { pythonRound } from '../image/python-round.js';
import type { MaskBatch } from '../../contract/socket-types.js';
import type { LatentShape, NodeMemory } from '../../contract/memory.js';
import { resizeMask } from '../image/masks.js';
import { resizePixels, type CropMode, type UpscaleMethod } from '../image/resize.js';
import type { Tensor4 } from './types.js';

/** Batch, crop, flip, rotate and composite operations on NCHW latents, with ComfyUI's semantics. Pure. */

function emptyTensor(batch: number, channels: number, height: number, width: number): Tensor4 {
  return { batch, channels, height, width, data: new Float32Array(batch * channels * height * width) };
}

/** The [start, stop) a Python slice `[start:stop]` selects from a sequence of `length` (step 1). */
export function pySlice(start: number, stop: number, length: number): { start: number; stop: number } {
  const norm = (index: number): number => (index < 0 ? Math.max(0, index + length) : Math.min(index, length));
  const s = norm(start);
  return { start: s, stop: Math.max(s, norm(stop)) };
}

/** The index of `repeat_to_batch_size`: a shorter batch is cycled (0, 1, 0, 1, …). */
function cycled(batch: number, index: number): number {
  return index % batch;
}

/** Resizes every channel plane on its own, unclamped: latents are raw values, and torch keeps a bicubic overshoot. */
export function resizeLatent(
  tensor: Tensor4,
  width: number,
  height: number,
  method: UpscaleMethod,
  crop: CropMode,
  onPlane: () => void = () => undefined,
): Tensor4 {
  const plane = tensor.height * tensor.width;
  const out = emptyTensor(tensor.batch, tensor.channels, height, width);
  const outPlane = width * height;
  for (let index = 0; index < tensor.batch * tensor.channels; index++) {
    const source = tensor.data.subarray(index * plane, (index + 1) * plane);
    const resized = resizePixels(
      { batch: 1, channels: 1, height: tensor.height, width: tensor.width, data: source },
      width,
      height,
      method,
      crop,
      undefined,
      false,
    );
    const base = index * outPlane;
    out.data.set(resized.data, base);
    onPlane();
  }
  return out;
}

/**
 * Where each of `newLength` outputs reads along an axis of `oldLength` for bislerp: the two source indices and
 * the ratio between them, as ComfyUI gets them by bilinearly resizing index ramps (half-pixel centres, clamped).
 */
function bislerpTaps(
  oldLength: number,
  newLength: number,
): { first: Int32Array; second: Int32Array; ratio: Float64Array } {
  const first = new Int32Array(newLength);
  const second = new Int32Array(newLength);
  const ratio = new Float64Array(newLength);
  // The second ramp is 1, 2, …, n − 1, n − 1: each index's right neighbour, held at the last.
  const secondRamp = (i: number): number => Math.min(i + 1, oldLength - 1);
  for (let o = 0; o < newLength; o++) {
    const src = Math.max(0, ((o + 0.5) * oldLength) / newLength - 0.5);
    const i0 = Math.min(Math.floor(src), oldLength - 1);
    const i1 = Math.min(i0 + 1, oldLength - 1);
    const lambda = i1 > i0 ? src - i0 : 0;
    const c1 = i0 + lambda * (i1 - i0);
    first[o] = Math.trunc(c1);
    ratio[o] = c1 - Math.floor(c1);
    second[o] = Math.trunc(secondRamp(i0) * (1 - lambda) + secondRamp(i1) * lambda);
  }
  return { first, second, ratio };
}

/** ComfyUI's slerp of two channel vectors by ratio r (its norm blend and its edge cases), written into `out`. */
function slerpVectors(a: Float64Array, b: Float64Array, r: number, out: Float64Array): void {
  const channels = a.length;
  let na = 0;
  let nb = 0;
  for (let c = 0; c < channels; c++) {
    na += a[c]! * a[c]!;
    nb += b[c]! * b[c]!;
  }
  na = Math.sqrt(na);
  nb = Math.sqrt(nb);
  let dot = 0;
  for (let c = 0; c < channels; c++) dot += (na === 0 ? 0 : a[c]! / na) * (nb === 0 ? 0 : b[c]! / nb);
  if (dot > 1 - 1e-5) {
    out.set(a);
    return;
  }
  if (dot < 1e-5 - 1) {
    for (let c = 0; c < channels; c++) out[c] = a[c]! * (1 - r) + b[c]! * r;
    return;
  }
  const omega = Math.acos(dot);
  const so = Math.sin(omega);
  const wa = Math.sin((1 - r) * omega) / so;
  const wb = Math.sin(r * omega) / so;
  const norm = na * (1 - r) + nb * r;
  for (let c = 0; c < channels; c++)
    out[c] = (wa * (na === 0 ? 0 : a[c]! / na) + wb * (nb === 0 ? 0 : b[c]! / nb)) * norm;
}

/** ComfyUI's `bislerp`: spherical interpolation of each cell's channel vector, along the width then the height. */
export function bislerpLatent(tensor: Tensor4, width: number, height: number): Tensor4 {
  const { batch, channels, height: h, width: w } = tensor;
  const a = new Float64Array(channels);
  const b = new Float64Array(channels);
  const v = new Float64Array(channels);
  const pass = (
    source: Float64Array,
    sh: number,
    sw: number,
    oh: number,
    ow: number,
    alongWidth: boolean,
  ): Float64Array => {
    const taps = bislerpTaps(alongWidth ? sw : sh, alongWidth ? ow : oh);
    const out = new Float64Array(batch * channels * oh * ow);
    for (let n = 0; n < batch; n++)
      for (let y = 0; y < oh; y++)
        for (let x = 0; x < ow; x++) {
          const o = alongWidth ? x : y;
          for (let c = 0; c < channels; c++) {
            const plane = (n * channels + c) * sh * sw;
            a[c] = alongWidth ? source[plane + y * sw + taps.first[o]!]! : source[plane + taps.first[o]! * sw + x]!;
            b[c] = alongWidth ? source[plane + y * sw + taps.second[o]!]! : source[plane + taps.second[o]! * sw + x]!;
          }
          slerpVectors(a, b, taps.ratio[o]!, v);
          for (let c = 0; c < channels; c++) out[((n * channels + c) * oh + y) * ow + x] = v[c]!;
        }
    return out;
  };
  const rows = pass(Float64Array.from(tensor.data), h, w, h, width, true);
  const result = pass(rows, h, width, height, width, false);
  return { batch, channels, height, width, data: Float32Array.from(result) };
}

/** LatentUpscaleBy's target: each side × scale, rounded as Python rounds. */
export function upscaleBySize(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: pythonRound(width * scale), height: pythonRound(height * scale) };
}

/** RepeatLatentBatch: the whole batch, `amount` times over (torch's `repeat((amount, 1, 1, 1))`). */
export function repeatBatch(tensor: Tensor4, amount: number): Tensor4 {
  const out = emptyTensor(tensor.batch * amount, tensor.channels, tensor.height, tensor.width);
  for (let i = 0; i < amount; i++) out.data.set(tensor.data, i * tensor.data.length);
  return out;
}

/** LatentFromBatch: the index and length clamped into the batch, as ComfyUI clamps them. */
export function fromBatch(tensor: Tensor4, batchIndex: number, length: number): Tensor4 {
  const start = Math.min(tensor.batch - 1, batchIndex);
  const count = Math.min(tensor.batch - start, length);
  const item = tensor.channels * tensor.height * tensor.width;
  return {
    ...tensor,
    batch: count,
    data: tensor.data.slice(start * item, (start + count) * item),
  };
}

export const flipMethods = ['x-axis: vertically', 'y-axis: horizontally'] as const;
export type FlipMethod = (typeof flipMethods)[number];

/** LatentFlip: "x-axis" mirrors rows (top ↔ bottom), "y-axis" mirrors columns (left ↔ right). */
export function flipLatent(tensor: Tensor4, method: FlipMethod): Tensor4 {
  const { height, width } = tensor;
  const out = emptyTensor(tensor.batch, tensor.channels, height, width);
  const vertical = method.startsWith('x');
  for (let p = 0; p < tensor.batch * tensor.channels; p++) {
    const base = p * height * width;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const sy = vertical ? height - 1 - y : y;
        const sx = vertical ? x : width - 1 - x;
        out.data[base + y * width + x] = tensor.data[base + sy * width + sx]!;
      }
  }
  return out;
}

export const rotations = ['none', '90 degrees', '180 degrees', '270 degrees'] as const;
export type Rotation = (typeof rotations)[number];

/** LatentRotate: `rot90` over dims [3, 2], i.e. clockwise quarter turns. */
export function rotateLatent(tensor: Tensor4, rotation: Rotation): Tensor4 {
  const turns = rotations.indexOf(rotation);
  if (turns === 0) return tensor;
  const { height: h, width: w } = tensor;
  const swap = turns % 2 === 1;
  const outH = swap ? w : h;
  const outW = swap ? h : w;
  const out = emptyTensor(tensor.batch, tensor.channels, outH, outW);
  for (let p = 0; p < tensor.batch * tensor.channels; p++) {
    const base = p * h * w;
    for (let y = 0; y < outH; y++)
      for (let x = 0; x < outW; x++) {
        // Where output (y, x) comes from in the source, per number of clockwise turns.
        const [sy, sx] = turns === 1 ? [h - 1 - x, y] : turns === 2 ? [h - 1 - y, w - 1 - x] : [x, w - 1 - y];
        out.data[base + y * outW + x] = tensor.data[base + sy * w + sx]!;
      }
  }
  return out;
}

/**
 * LatentCrop in cells: x and y are held at least `minCells` (64 px: 8 SD cells) from the far edges, then the
 * window is sliced with Python's slice rules (a latent under `minCells` makes them negative, counted from the end).
 */
export function cropLatent(
  tensor: Tensor4,
  x: number,
  y: number,
  width: number,
  height: number,
  minCells = 8,
): Tensor4 {
  const left = Math.min(x, tensor.width - minCells);
  const top = Math.min(y, tensor.height - minCells);
  const cols = pySlice(left, left + width, tensor.width);
  const rows = pySlice(top, top + height, tensor.height);
  const outW = cols.stop - cols.start;
  const outH = rows.stop - rows.start;
  const out = emptyTensor(tensor.batch, tensor.channels, outH, outW);
  for (let p = 0; p < tensor.batch * tensor.channels; p++)
    for (let r = 0; r < outH; r++) {
      const src = (p * tensor.height + rows.start + r) * tensor.width + cols.start;
      out.data.set(tensor.data.subarray(src, src + outW), (p * outH + r) * outW);
    }
  return out;
}

/** A batch that is 1 is broadcast over the other; any other difference is an error naming the node. */
function broadcastBatch(node: string, to: Tensor4, from: Tensor4, fields: string): void {
  if (from.batch !== to.batch && from.batch !== 1)
    throw new Error(`${node}: ${fields} have batch sizes ${to.batch} and ${from.batch} (one must be 1 or both equal)`);
  if (from.channels !== to.channels)
    throw new Error(`${node}: ${fields} have ${to.channels} and ${from.channels} channels`);
}

/**
 * LatentComposite in cells: pastes `from` at (x, y) over `to`, cut at `to`'s edges; with feather, the pasted
 * window's inner edges (those not on `to`'s border) fade in over `feather` cells, as ComfyUI multiplies them.
 */
export function compositeLatent(to: Tensor4, from: Tensor4, x: number, y: number, feather: number): Tensor4 {
  broadcastBatch('LatentComposite', to, from, 'samples_to and samples_from');
  const left = Math.min(x, to.width);
  const top = Math.min(y, to.height);
  const w = Math.min(from.width, to.width - left);
  const h = Math.min(from.height, to.height - top);
  const mask = new Float32Array(h * w).fill(1);
  const scaleRows = (range: { start: number; stop: number }, factor: number): void => {
    for (let r = range.start; r < range.stop; r++) for (let c = 0; c < w; c++) mask[r * w + c]! *= factor;
  };
  const scaleCols = (range: { start: number; stop: number }, factor: number): void => {
    for (let r = 0; r < h; r++) for (let c = range.start; c < range.stop; c++) mask[r * w + c]! *= factor;
  };
  for (let t = 0; t < feather; t++) {
    const factor = Math.fround((1 / feather) * (t + 1));
    if (top !== 0) scaleRows(pySlice(t, t + 1, h), factor);
    if (top + h < to.height) scaleRows(pySlice(h - 1 - t, h - t, h), factor);
    if (left !== 0) scaleCols(pySlice(t, t + 1, w), factor);
    if (left + w < to.width) scaleCols(pySlice(w - 1 - t, w - t, w), factor);
  }
  const out = { ...to, data: to.data.slice() };
  for (let b = 0; b < to.batch; b++)
    for (let c = 0; c < to.channels; c++) {
      const fromPlane = ((from.batch === 1 ? 0 : b) * from.channels + c) * from.height * from.width;
      const toPlane = (b * to.channels + c) * to.height * to.width;
      for (let r = 0; r < h; r++)
        for (let col = 0; col < w; col++) {
          const m = mask[r * w + col]!;
          const o = toPlane + (top + r) * to.width + left + col;
          const s = from.data[fromPlane + r * from.width + col]!;
          out.data[o] = feather === 0 ? s : s * m + out.data[o]! * (1 - m);
        }
    }
  return out;
}

/**
 * LatentCompositeMasked: pastes `source` (cycled to the destination's batch; resized to it, bilinear, when asked)
 * at pixel (x, y) divided by the cell size, through `mask` (bilinear to the source's size, 1 = source).
 */
export function compositeLatentMasked(
  destination: Tensor4,
  source: Tensor4,
  x: number,
  y: number,
  cell: number,
  resizeSource: boolean,
  mask: MaskBatch | undefined,
): Tensor4 {
  if (source.channels !== destination.channels)
    throw new Error(
      `LatentCompositeMasked: destination and source have ${destination.channels} and ${source.channels} channels`,
    );
  const src =
    resizeSource && (source.width !== destination.width || source.height !== destination.height)
      ? resizeLatent(source, destination.width, destination.height, 'bilinear', 'disabled')
      : source;
  const px = Math.max(-src.width * cell, Math.min(x, destination.width * cell));
  const py = Math.max(-src.height * cell, Math.min(y, destination.height * cell));
  const left = Math.floor(px / cell);
  const top = Math.floor(py / cell);
  const m = mask ? resizeMask(mask, src.width, src.height) : undefined;
  const out = { ...destination, data: destination.data.slice() };
  const srcPlane = src.height * src.width;
  for (let b = 0; b < destination.batch; b++) {
    // The source is cycled to the destination's batch, then the mask to the source's.
    const sb = cycled(src.batch, b);
    const mb = m ? cycled(m.batch, b) : 0;
    for (let c = 0; c < destination.channels; c++) {
      const dPlane = (b * destination.channels + c) * destination.height * destination.width;
      const sPlane = (sb * src.channels + c) * srcPlane;
      for (let sy = 0; sy < src.height; sy++) {
        const dy = top + sy;
        if (dy < 0 || dy >= destination.height) continue;
        for (let sx = 0; sx < src.width; sx++) {
          const dx = left + sx;
          if (dx < 0 || dx >= destination.width) continue;
          const weight = m ? m.data[mb * srcPlane + sy * src.width + sx]! : 1;
          const o = dPlane + dy * destination.width + dx;
          out.data[o] = weight * src.data[sPlane + sy * src.width + sx]! + (1 - weight) * out.data[o]!;
        }
      }
    }
  }
  return out;
}

/** LatentBlend: samples1 · factor + samples2 · (1 − factor); samples2 of another size is first resized (bicubic, centre crop). */
export function blendLatents(samples1: Tensor4, samples2: Tensor4, factor: number): Tensor4 {
  const second =
    samples2.width !== samples1.width || samples2.height !== samples1.height
      ? resizeLatent(samples2, samples1.width, samples1.height, 'bicubic', 'center')
      : samples2;
  if (second.channels !== samples1.channels)
    throw new Error(`LatentBlend: samples1 and samples2 have ${samples1.channels} and ${second.channels} channels`);
  if (second.batch !== samples1.batch && second.batch !== 1 && samples1.batch !== 1)
    throw new Error(
      `LatentBlend: samples1 and samples2 have batch sizes ${samples1.batch} and ${second.batch} (one must be 1 or both equal)`,
    );
  const batch = Math.max(samples1.batch, second.batch);
  const item = samples1.channels * samples1.height * samples1.width;
  const out = emptyTensor(batch, samples1.channels, samples1.height, samples1.width);
  for (let b = 0; b < batch; b++) {
    const a = (samples1.batch === 1 ? 0 : b) * item;
    const s = (second.batch === 1 ? 0 : b) * item;
    for (let i = 0; i < item; i++)
      out.data[b * item + i] = samples1.data[a + i]! * factor + second.data[s + i]! * (1 - factor);
  }
  return out;
}

/** A node whose one output is a latent of this shape (or unknown), holding nothing else. */
export function latentOutput(shape: LatentShape | undefined): NodeMemory {
  return { outputs: [shape], workingBytes: 0 };
}
