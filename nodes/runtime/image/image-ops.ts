import type { ImageShape, NodeMemory } from '../../contract/memory.js';
import type { ImageBatch } from '../../contract/socket-types.js';
import { createImageBatch } from './image-batch.js';
import { imageShape } from './image-memory.js';
import { centerCropWindow, resizeImageBatch } from './resize.js';
import { pythonRound } from './python-round.js';

/**
 * Pure IMAGE operations behind ComfyUI's EmptyImage, ImageBatch, ImageCrop, ImageScaleBy and
 * ImageScaleToTotalPixels (nodes.py, comfy_extras/nodes_images.py, comfy_extras/nodes_post_processing.py).
 */

// pythonRound lives in python-round.ts because resize.ts needs it too; its callers keep importing it from here.
export { pythonRound };

/** EmptyImage: an RGB batch filled with a 0xRRGGBB colour, each byte / 255. */
export function emptyImage(width: number, height: number, batch: number, color: number): ImageBatch {
  const rgb = [((color >> 16) & 0xff) / 0xff, ((color >> 8) & 0xff) / 0xff, (color & 0xff) / 0xff] as const;
  const out = createImageBatch(batch, height, width, 3);
  for (let i = 0; i < out.data.length; i += 3) {
    out.data[i] = rgb[0];
    out.data[i + 1] = rgb[1];
    out.data[i + 2] = rgb[2];
  }
  return out;
}

/** The window ImageCrop keeps: x and y at most the last column and row, the far edge clipped to the image. */
export function cropWindow(
  imageWidth: number,
  imageHeight: number,
  width: number,
  height: number,
  x: number,
  y: number,
): { x: number; y: number; width: number; height: number } {
  const left = Math.min(x, imageWidth - 1);
  const top = Math.min(y, imageHeight - 1);
  return {
    x: left,
    y: top,
    width: Math.max(0, Math.min(left + width, imageWidth) - left),
    height: Math.max(0, Math.min(top + height, imageHeight) - top),
  };
}

interface Window {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

function copyWindow(image: ImageBatch, window: Window): ImageBatch {
  const c = image.channels;
  const out = createImageBatch(image.batch, window.height, window.width, c);
  const rowLength = window.width * c;
  for (let b = 0; b < image.batch; b++) {
    for (let row = 0; row < window.height; row++) {
      const from = ((b * image.height + window.y + row) * image.width + window.x) * c;
      out.data.set(image.data.subarray(from, from + rowLength), (b * window.height + row) * rowLength);
    }
  }
  return out;
}

export function cropImage(image: ImageBatch, width: number, height: number, x: number, y: number): ImageBatch {
  return copyWindow(image, cropWindow(image.width, image.height, width, height, x, y));
}

/** comfy.utils.common_upscale's centre crop (one definition, beside the resizer that ImageScale uses). */
export const comfyCenterCropWindow = centerCropWindow;

/** Resizes as common_upscale(..., crop='center') does: the centre crop first, then the resize of what is left. */
export function resizeCentered(
  image: ImageBatch,
  width: number,
  height: number,
  method: 'bilinear' | 'bicubic',
): ImageBatch {
  const cropped = copyWindow(image, comfyCenterCropWindow(image.width, image.height, width, height));
  return resizeImageBatch(cropped, width, height, method, 'disabled');
}

/** RGB → RGBA with an opaque alpha, as ComfyUI's ImageBatch pads the missing channel with 1.0. */
export function padToFourChannels(image: ImageBatch): ImageBatch {
  if (image.channels === 4) return image;
  const out = createImageBatch(image.batch, image.height, image.width, 4);
  const pixels = image.batch * image.height * image.width;
  for (let p = 0; p < pixels; p++) {
    const r = image.data[p * 3]!;
    const g = image.data[p * 3 + 1]!;
    const b = image.data[p * 3 + 2]!;
    out.data[p * 4] = r;
    out.data[p * 4 + 1] = g;
    out.data[p * 4 + 2] = b;
    out.data[p * 4 + 3] = 1;
  }
  return out;
}

/**
 * ImageBatch: image1's batch followed by image2's. Channel counts are matched first (RGB gains an opaque alpha);
 * image2 is then resized to image1's size, bilinear with a centre crop, when the two differ.
 */
export function batchImages(image1: ImageBatch, image2: ImageBatch): ImageBatch {
  let first = image1;
  let second = image2;
  if (first.channels !== second.channels) {
    if (first.channels > second.channels) second = padToFourChannels(second);
    else first = padToFourChannels(first);
  }
  if (first.width !== second.width || first.height !== second.height)
    second = resizeCentered(second, first.width, first.height, 'bilinear');
  const out = createImageBatch(first.batch + second.batch, first.height, first.width, first.channels);
  out.data.set(first.data, 0);
  out.data.set(second.data, first.data.length);
  return out;
}

/** ImageScaleBy's target: each side times scale_by, rounded as Python does. */
export function scaleBySize(width: number, height: number, scaleBy: number): { width: number; height: number } {
  return { width: pythonRound(width * scaleBy), height: pythonRound(height * scaleBy) };
}

/** ImageScaleToTotalPixels' target: about megapixels × 2^20 pixels, each side a multiple of resolution_steps. */
export function totalPixelsSize(
  width: number,
  height: number,
  megapixels: number,
  resolutionSteps: number,
): { width: number; height: number } {
  const scaleBy = Math.sqrt((megapixels * 1024 * 1024) / (width * height));
  return {
    width: pythonRound((width * scaleBy) / resolutionSteps) * resolutionSteps,
    height: pythonRound((height * scaleBy) / resolutionSteps) * resolutionSteps,
  };
}

/** A node that makes one image of a known size from its input: the output, plus the resizer's horizontal pass. */
export function resizedImageMemory(image: ImageShape | undefined, width: number, height: number): NodeMemory {
  if (!image) return { outputs: [undefined], workingBytes: 0 };
  return {
    outputs: [imageShape(image.batch, height, width, image.channels)],
    workingBytes: image.height * width * image.channels * 4,
  };
}

/** ImageBatch's output: both batches at image1's size, with the larger channel count. */
export function batchImagesMemory(image1: ImageShape | undefined, image2: ImageShape | undefined): NodeMemory {
  if (!image1 || !image2) return { outputs: [undefined], workingBytes: 0 };
  const channels = Math.max(image1.channels, image2.channels);
  const resized = image2.batch * image1.height * image1.width * channels * 4;
  return {
    outputs: [imageShape(image1.batch + image2.batch, image1.height, image1.width, channels)],
    workingBytes: resized,
  };
}
