import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image-limits.js';
import { decodeJpeg, isJpeg } from './jpeg.js';
import { decodePng, isPng } from './png.js';
import type { RasterU8 } from './raster.js';
import { err, ok, type Result } from '../shared/result.js';

/** The pixels, with a PNG's text chunks (none for a JPEG). */
export interface DecodedImage {
  readonly raster: RasterU8;
  readonly text: Record<string, string>;
}

/**
 * Decodes a PNG or JPEG into 8-bit RGBA (PNG) or RGB (JPEG) pixels, with PNG text chunks. The header's size is
 * checked against `limits` before any pixel buffer is allocated, and no inflation runs past what that size allows.
 */
export function decodeImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Result<DecodedImage> {
  try {
    if (isPng(bytes)) return decodePng(bytes, limits);
    if (isJpeg(bytes)) {
      const raster = decodeJpeg(bytes, limits);
      return raster.ok ? ok({ raster: raster.value, text: {} }) : raster;
    }
  } catch (error) {
    return err(`cannot decode image: ${error instanceof Error ? error.message : String(error)}`);
  }
  return err('not a PNG or JPEG image');
}
