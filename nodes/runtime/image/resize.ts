import type { ImageBatch } from '../../contract/socket-types.js';
import { pythonRound } from './python-round.js';

/**
 * Image resampling for IMAGE batches, matching the methods ComfyUI offers: nearest-exact, bilinear and
 * bicubic as PyTorch's `interpolate` (align_corners=False, no antialias), area as adaptive average pooling,
 * lanczos (a=3) with its support widened when downscaling, as PIL does.
 */
export const upscaleMethods = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'] as const;
export type UpscaleMethod = (typeof upscaleMethods)[number];
export const cropModes = ['disabled', 'center'] as const;
export type CropMode = (typeof cropModes)[number];

interface Taps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Float32Array;
  readonly maxTaps: number;
}

function clampIndex(index: number, size: number): number {
  return index < 0 ? 0 : index >= size ? size - 1 : index;
}

function cubic(x: number): number {
  const a = -0.75;
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

function lanczos3(x: number): number {
  return Math.abs(x) < 3 ? sinc(x) * sinc(x / 3) : 0;
}

/** Per output index along one axis: the source indices it reads and their weights. */
function computeTaps(
  srcSize: number,
  dstSize: number,
  srcStart: number,
  srcExtent: number,
  method: UpscaleMethod,
): Taps {
  const scale = srcExtent / dstSize;
  const taps: number[][] = [];
  const weightsList: number[][] = [];
  for (let o = 0; o < dstSize; o++) {
    const indices: number[] = [];
    const weights: number[] = [];
    if (method === 'nearest-exact') {
      indices.push(clampIndex(srcStart + Math.floor((o + 0.5) * scale), srcSize));
      weights.push(1);
    } else if (method === 'area') {
      const from = srcStart + Math.floor((o * srcExtent) / dstSize);
      const to = srcStart + Math.ceil(((o + 1) * srcExtent) / dstSize);
      for (let i = from; i < to; i++) {
        indices.push(clampIndex(i, srcSize));
        weights.push(1 / (to - from));
      }
    } else if (method === 'bilinear') {
      const center = Math.max((o + 0.5) * scale - 0.5, 0);
      const left = Math.floor(center);
      const frac = center - left;
      indices.push(
        clampIndex(srcStart + left, srcSize),
        clampIndex(srcStart + Math.min(left + 1, srcExtent - 1), srcSize),
      );
      weights.push(1 - frac, frac);
    } else if (method === 'bicubic') {
      const center = (o + 0.5) * scale - 0.5;
      const left = Math.floor(center);
      const frac = center - left;
      for (let k = -1; k <= 2; k++) {
        indices.push(srcStart + Math.min(Math.max(left + k, 0), srcExtent - 1));
        weights.push(cubic(k - frac));
      }
    } else {
      const support = scale > 1 ? 3 * scale : 3;
      const filterScale = scale > 1 ? scale : 1;
      const center = (o + 0.5) * scale;
      const from = Math.max(0, Math.floor(center - support));
      const to = Math.min(srcExtent, Math.ceil(center + support));
      let total = 0;
      for (let i = from; i < to; i++) {
        const weight = lanczos3((i + 0.5 - center) / filterScale);
        indices.push(srcStart + i);
        weights.push(weight);
        total += weight;
      }
      if (total !== 0) for (let k = 0; k < weights.length; k++) weights[k] = weights[k]! / total;
    }
    taps.push(indices);
    weightsList.push(weights);
  }
  const maxTaps = Math.max(...taps.map((list) => list.length));
  const start = new Int32Array(dstSize * maxTaps);
  const count = new Int32Array(dstSize);
  const weights = new Float32Array(dstSize * maxTaps);
  taps.forEach((list, o) => {
    count[o] = list.length;
    list.forEach((index, k) => {
      start[o * maxTaps + k] = index;
      weights[o * maxTaps + k] = weightsList[o]![k]!;
    });
  });
  return { start, count, weights, maxTaps };
}

/**
 * The source window comfy.utils.common_upscale's centre crop keeps: x = round((w − w·(new aspect / old aspect)) / 2)
 * with Python's round, and as much cut from each side (`narrow(-1, x, w − 2x)`). ComfyUI fails on a window of no
 * pixels (a 1000×1 image to 1×1000); here at least one column or row stays.
 */
export function centerCropWindow(
  width: number,
  height: number,
  targetWidth: number,
  targetHeight: number,
): { x: number; y: number; width: number; height: number } {
  const oldAspect = width / height;
  const newAspect = targetWidth / targetHeight;
  let x = 0;
  let y = 0;
  if (oldAspect > newAspect) x = pythonRound((width - width * (newAspect / oldAspect)) / 2);
  else if (oldAspect < newAspect) y = pythonRound((height - height * (oldAspect / newAspect)) / 2);
  x = Math.min(x, Math.floor((width - 1) / 2));
  y = Math.min(y, Math.floor((height - 1) / 2));
  return { x, y, width: width - 2 * x, height: height - 2 * y };
}

/** The target size with 0 meaning "keep the aspect ratio" (both 0: unchanged), as ComfyUI's ImageScale. */
export function resolveTargetSize(
  width: number,
  height: number,
  targetWidth: number,
  targetHeight: number,
): { width: number; height: number } {
  if (targetWidth === 0 && targetHeight === 0) return { width, height };
  if (targetWidth === 0)
    return { width: Math.max(1, Math.round(width * (targetHeight / height))), height: targetHeight };
  if (targetHeight === 0)
    return { width: targetWidth, height: Math.max(1, Math.round(height * (targetWidth / width))) };
  return { width: targetWidth, height: targetHeight };
}

/** Interleaved pixels [B, H, W, C] with any channel count (IMAGE, or a latent laid out channels-last). */
export interface PixelBatch {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly data: Float32Array;
}

/** Resizes every image of a batch (all channels) to width×height. */
export function resizeImageBatch(
  image: ImageBatch,
  width: number,
  height: number,
  method: UpscaleMethod,
  crop: CropMode,
  onRows?: (rowsDone: number, rowsTotal: number) => void,
): ImageBatch {
  const resized = resizePixels(image, width, height, method, crop, onRows);
  return { ...resized, channels: image.channels };
}

export function resizePixels(
  image: PixelBatch,
  width: number,
  height: number,
  method: UpscaleMethod,
  crop: CropMode,
  onRows?: (rowsDone: number, rowsTotal: number) => void,
  // Pixels stay in 0..1 after bicubic and lanczos overshoot; latents and other raw values must not be clamped.
  clampToUnit: boolean = method === 'bicubic' || method === 'lanczos',
): PixelBatch {
  const window =
    crop === 'center'
      ? centerCropWindow(image.width, image.height, width, height)
      : { x: 0, y: 0, width: image.width, height: image.height };
  const xTaps = computeTaps(image.width, width, window.x, window.width, method);
  const yTaps = computeTaps(image.height, height, window.y, window.height, method);
  const channels = image.channels;
  const out = {
    batch: image.batch,
    height,
    width,
    channels,
    data: new Float32Array(image.batch * height * width * channels),
  };
  const rowBuffer = new Float32Array(width * channels);
  for (let b = 0; b < image.batch; b++) {
    const srcBase = b * image.height * image.width * channels;
    const dstBase = b * height * width * channels;
    // Horizontal pass for the rows each output row needs, then vertical blend.
    const horizontal = new Float32Array(image.height * width * channels);
    for (let y = window.y; y < window.y + window.height; y++) {
      const srcRow = srcBase + y * image.width * channels;
      for (let x = 0; x < width; x++) {
        const n = xTaps.count[x]!;
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let k = 0; k < n; k++)
            sum +=
              image.data[srcRow + xTaps.start[x * xTaps.maxTaps + k]! * channels + c]! *
              xTaps.weights[x * xTaps.maxTaps + k]!;
          rowBuffer[x * channels + c] = sum;
        }
      }
      horizontal.set(rowBuffer, y * width * channels);
    }
    for (let y = 0; y < height; y++) {
      const n = yTaps.count[y]!;
      for (let i = 0; i < width * channels; i++) {
        let sum = 0;
        for (let k = 0; k < n; k++)
          sum +=
            horizontal[yTaps.start[y * yTaps.maxTaps + k]! * width * channels + i]! *
            yTaps.weights[y * yTaps.maxTaps + k]!;
        out.data[dstBase + y * width * channels + i] = clampToUnit ? Math.min(1, Math.max(0, sum)) : sum;
      }
      if (onRows && (y % 64 === 63 || y === height - 1)) onRows(b * height + y + 1, image.batch * height);
    }
  }
  return out;
}
