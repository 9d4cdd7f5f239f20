import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { formatBytes } from '../../../shared/format-bytes.js';
import { readImageSize } from '../../../media/image-header.js';
import type { ImageShape, LatentShape, MaskShape, NodeMemory } from '../../contract/memory.js';
import { resolveTargetSize } from './resize.js';

/** Memory estimates of the image and mask nodes (see nodes/memory.ts). */

export function imageShape(batch: number, height: number, width: number, channels: number): ImageShape {
  return { kind: 'image', batch, height, width, channels };
}

export function maskShape(batch: number, height: number, width: number): MaskShape {
  return { kind: 'mask', batch, height, width };
}

/** A node that makes one new image the size of its input (invert, composite, alpha). */
export function sameSizeImage(image: ImageShape | undefined, channels?: number): NodeMemory {
  return { outputs: [image ? { ...image, channels: channels ?? image.channels } : undefined], workingBytes: 0 };
}

/** Writing images as PNG (SaveImage, PreviewImage, frames): per item the 8-bit raster, its filtered rows and the deflated file. */
export function pngWritingMemory(images: ImageShape | undefined): NodeMemory {
  if (!images) return { outputs: [], workingBytes: 0 };
  const raster = images.height * images.width * Math.min(images.channels, 4);
  return {
    outputs: [],
    workingBytes: 3 * raster,
    driver: {
      input: 'images',
      why: `each ${images.width}×${images.height} image is encoded in ~${formatBytes(3 * raster)}`,
    },
  };
}

/** ImageScale: the output at its target size, and the horizontal pass (source rows at the target width). */
export function imageScaleMemory(
  image: ImageShape | undefined,
  width: number | undefined,
  height: number | undefined,
): NodeMemory {
  if (!image || width === undefined || height === undefined) return { outputs: [undefined], workingBytes: 0 };
  const target = resolveTargetSize(image.width, image.height, width, height);
  const out = imageShape(image.batch, target.height, target.width, image.channels);
  const horizontal = image.height * target.width * image.channels * 4;
  return {
    outputs: [out],
    workingBytes: horizontal,
    driver: { input: width >= height ? 'width' : 'height', why: `scaling to ${target.width}×${target.height} px` },
  };
}

/** LatentUpscale: the output at its target size (each channel plane is resized on its own). */
export function latentUpscaleMemory(
  latent: LatentShape | undefined,
  width: number | undefined,
  height: number | undefined,
): NodeMemory {
  if (!latent || width === undefined || height === undefined) return { outputs: [undefined], workingBytes: 0 };
  if (width === 0 && height === 0) return { outputs: [latent], workingBytes: 0 };
  const cell = latent.downscale;
  const target = resolveTargetSize(latent.width, latent.height, width, height);
  const out: LatentShape = {
    ...latent,
    width: Math.max(1, Math.floor(Math.max(64, target.width) / cell)),
    height: Math.max(1, Math.floor(Math.max(64, target.height) / cell)),
  };
  const horizontal = latent.height * out.width * 4;
  return {
    outputs: [out],
    workingBytes: horizontal,
    driver: {
      input: width >= height ? 'width' : 'height',
      why: `upscaling to ${out.width * cell}×${out.height * cell} px`,
    },
  };
}

/** Enough of a file for its header: PNG's IHDR comes first; a JPEG's frame header follows its EXIF and other segments. */
const HEADER_PREFIX_BYTES = 256 * 1024;

/** The size of an image file from its first bytes (all of it only when the header lies further in). */
function imageFileSize(path: string): { size: ReturnType<typeof readImageSize>; fileBytes: number } {
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    const prefix = Buffer.alloc(Math.min(fileBytes, HEADER_PREFIX_BYTES));
    readSync(fd, prefix, 0, prefix.length, 0);
    const size = readImageSize(prefix);
    return { size: size.ok || fileBytes <= prefix.length ? size : readImageSize(readFileSync(path)), fileBytes };
  } finally {
    closeSync(fd);
  }
}

/**
 * LoadImage: the image and mask at the size the file's header gives; decoding holds the file and two 8-bit rasters.
 * Run for every queued prompt, so only the file's head is read.
 */
export function loadImageMemory(path: string | undefined): NodeMemory {
  if (path === undefined) return { outputs: [undefined, undefined], workingBytes: 0 };
  let read: ReturnType<typeof imageFileSize>;
  try {
    read = imageFileSize(path);
  } catch {
    return { outputs: [undefined, undefined], workingBytes: 0 };
  }
  if (!read.size.ok) return { outputs: [undefined, undefined], workingBytes: read.fileBytes };
  const { width, height } = read.size.value;
  return {
    outputs: [imageShape(1, height, width, 3), maskShape(1, height, width)],
    workingBytes: read.fileBytes + 2 * width * height * 4,
    driver: { input: 'image', why: `the file is ${width}×${height} px` },
  };
}

/**
 * ImageUpscaleWithModel, assumed ×4 (the usual ESRGAN scale; the estimate does not see the model): the output, and
 * per item the blended sum and weights at output size plus one tile in and out.
 */
export function upscaleMemory(image: ImageShape | undefined): NodeMemory {
  if (!image) return { outputs: [undefined], workingBytes: 0 };
  const out = imageShape(image.batch, image.height * 4, image.width * 4, 3);
  const item = out.height * out.width * 3 * 4;
  const tile = 512 * 512 * 3 * 4 * (1 + 16);
  return {
    outputs: [out],
    workingBytes: 3 * item + tile,
    driver: { input: 'image', why: `upscaling ${image.width}×${image.height} to about ${out.width}×${out.height} px` },
  };
}
