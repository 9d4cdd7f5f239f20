import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image-limits.js';
import { decodeJpeg, isJpeg } from './jpeg.js';
import { decodePng, isPng } from './png.js';
import type { RasterU8 } from './raster.js';

export type DecodeResult = { ok: true; raster: RasterU8; text: Record<string, string> } | { ok: false; reason: string };

/**
 * Decodes a PNG or JPEG into 8-bit RGBA (PNG) or RGB (JPEG) pixels, with PNG text chunks. The header's size is
 * checked against `limits` before any pixel buffer is allocated, and no inflation runs past what that size allows.
 */
export function decodeImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): DecodeResult {
  try {
    if (isPng(bytes)) {
      const png = decodePng(bytes, limits);
      return png.ok ? { ok: true, raster: png.value.raster, text: png.value.text } : { ok: false, reason: png.reason };
    }
    if (isJpeg(bytes)) {
      const raster = decodeJpeg(bytes, limits);
      return raster.ok ? { ok: true, raster: raster.value, text: {} } : { ok: false, reason: raster.reason };
    }
  } catch (error) {
    return { ok: false, reason: `cannot decode image: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { ok: false, reason: 'not a PNG or JPEG image' };
}
