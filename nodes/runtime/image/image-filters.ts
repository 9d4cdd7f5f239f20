import type { ImageBatch } from '../../contract/socket-types.js';
import { createImageBatch } from './image-batch.js';
import { resizeCentered } from './image-ops.js';

/** ImageBlend, ImageBlur and ImageSharpen as comfy_extras/nodes_post_processing.py defines them. */

export const blendModes = ['normal', 'multiply', 'screen', 'overlay', 'soft_light', 'difference'] as const;
export type BlendMode = (typeof blendModes)[number];

function softLightG(x: number): number {
  return x <= 0.25 ? ((16 * x - 12) * x + 4) * x : Math.sqrt(x);
}

/** One channel value of a blend mode (a = image1, b = image2); difference is a − b, not |a − b|, as in ComfyUI. */
export function blendValue(a: number, b: number, mode: BlendMode): number {
  switch (mode) {
    case 'normal':
      return b;
    case 'multiply':
      return a * b;
    case 'screen':
      return 1 - (1 - a) * (1 - b);
    case 'overlay':
      return a <= 0.5 ? 2 * a * b : 1 - 2 * (1 - a) * (1 - b);
    case 'soft_light':
      return b <= 0.5 ? a - (1 - 2 * b) * a * (1 - a) : a + (2 * b - 1) * (softLightG(a) - a);
    case 'difference':
      return a - b;
  }
}

/** Why two images cannot be blended (after image2 is resized), or undefined: batches broadcast only from 1. */
export function blendMismatch(image1: ImageBatch, image2: ImageBatch): string | undefined {
  if (image1.channels !== image2.channels)
    return `image1 has ${image1.channels} channels and image2 ${image2.channels}; they must match`;
  if (image1.batch !== image2.batch && image1.batch !== 1 && image2.batch !== 1)
    return `batch sizes ${image1.batch} and ${image2.batch} differ (one of them must be 1 or both equal)`;
  return undefined;
}

/**
 * image1·(1 − factor) + mode(image1, image2)·factor, clamped to 0..1. image2 is first resized to image1's size
 * (bicubic, centre crop); a batch of 1 pairs with every image of the other.
 */
export function blendImages(image1: ImageBatch, image2: ImageBatch, factor: number, mode: BlendMode): ImageBatch {
  const second =
    image2.width !== image1.width || image2.height !== image1.height
      ? resizeCentered(image2, image1.width, image1.height, 'bicubic')
      : image2;
  const mismatch = blendMismatch(image1, second);
  if (mismatch) throw new Error(mismatch);
  const batch = Math.max(image1.batch, second.batch);
  const item = image1.height * image1.width * image1.channels;
  const out = createImageBatch(batch, image1.height, image1.width, image1.channels);
  for (let b = 0; b < batch; b++) {
    const offset1 = image1.batch === 1 ? 0 : b * item;
    const offset2 = second.batch === 1 ? 0 : b * item;
    for (let i = 0; i < item; i++) {
      const a = image1.data[offset1 + i]!;
      const mixed = a * (1 - factor) + blendValue(a, second.data[offset2 + i]!, mode) * factor;
      out.data[b * item + i] = mixed < 0 ? 0 : mixed > 1 ? 1 : mixed;
    }
  }
  return out;
}

/**
 * One axis of ComfyUI's gaussian_kernel: taps at linspace(-1, 1, 2·radius + 1), weight exp(−d²/2σ²). Its 2-D kernel
 * exp(−(x² + y²)/2σ²)/Σ is the outer product of this one with itself, so blurring rows then columns is the same.
 */
export function gaussianKernel1d(radius: number, sigma: number): Float64Array {
  const size = radius * 2 + 1;
  const kernel = new Float64Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) {
    const x = size === 1 ? -1 : -1 + (2 * i) / (size - 1);
    kernel[i] = Math.exp(-(x * x) / (2 * sigma * sigma));
    total += kernel[i]!;
  }
  for (let i = 0; i < size; i++) kernel[i] = kernel[i]! / total;
  return kernel;
}

/** Reflect padding (the edge itself is not repeated), as PyTorch's F.pad(mode='reflect'). */
function reflect(index: number, size: number): number {
  if (index < 0) return -index;
  if (index >= size) return 2 * (size - 1) - index;
  return index;
}

/** Why reflect padding of this radius is impossible (PyTorch needs radius < each side), or undefined. */
export function reflectPadProblem(image: Pick<ImageBatch, 'width' | 'height'>, radius: number): string | undefined {
  if (radius >= image.width || radius >= image.height)
    return `radius ${radius} needs an image larger than ${radius}×${radius} px (this one is ${image.width}×${image.height})`;
  return undefined;
}

/** Each channel convolved with the separable Gaussian of this radius and sigma, edges reflected. */
export function gaussianBlur(image: ImageBatch, radius: number, sigma: number): ImageBatch {
  const problem = reflectPadProblem(image, radius);
  if (problem) throw new Error(problem);
  const kernel = gaussianKernel1d(radius, sigma);
  const { width, height, channels: c } = image;
  const out = createImageBatch(image.batch, height, width, c);
  const rows = new Float64Array(height * width * c);
  for (let b = 0; b < image.batch; b++) {
    const base = b * height * width * c;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let k = -radius; k <= radius; k++)
            sum += kernel[k + radius]! * image.data[base + (y * width + reflect(x + k, width)) * c + ch]!;
          rows[(y * width + x) * c + ch] = sum;
        }
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let k = -radius; k <= radius; k++)
            sum += kernel[k + radius]! * rows[(reflect(y + k, height) * width + x) * c + ch]!;
          out.data[base + (y * width + x) * c + ch] = sum;
        }
      }
    }
  }
  return out;
}

/**
 * ImageSharpen: ComfyUI's kernel is −10α·G with 1 + 10α added at the centre (its taps sum to 1), i.e.
 * x + 10α·(x − blur(x)); clamped to 0..1.
 */
export function sharpenImage(image: ImageBatch, radius: number, sigma: number, alpha: number): ImageBatch {
  const blurred = gaussianBlur(image, radius, sigma);
  const amount = alpha * 10;
  for (let i = 0; i < blurred.data.length; i++) {
    const x = image.data[i]!;
    const value = x + amount * (x - blurred.data[i]!);
    blurred.data[i] = value < 0 ? 0 : value > 1 ? 1 : value;
  }
  return blurred;
}
