import jpeg from 'jpeg-js';
import { checkImageHeader, type ImageLimits } from './image-limits.js';
import { encodeJpegFast } from './jpeg-encoder.js';
import type { RasterU8 } from './raster.js';
import { err, ok, type Result } from '../shared/result.js';

/** The JPEG codec: decoding through jpeg-js with its memory guards, encoding through the fast baseline encoder. */

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** jpeg-js's own memory guard, sized from the pixel limit (coefficient blocks, component planes and output). */
function jpegMemoryLimitMb(maxPixels: number): number {
  return Math.ceil((maxPixels * 28) / (1024 * 1024)) + 16;
}

/** Decodes a baseline or progressive JPEG into 8-bit RGB, its size checked against `limits` first. Throws on a corrupt stream. */
export function decodeJpeg(bytes: Uint8Array, limits: ImageLimits): Result<RasterU8> {
  const size = checkImageHeader(bytes, limits.maxPixels);
  if (!size.ok) return err(size.reason);
  const decoded = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    // Later frames are checked by jpeg-js itself.
    maxResolutionInMP: limits.maxPixels / 1e6,
    maxMemoryUsageInMB: jpegMemoryLimitMb(limits.maxPixels),
  });
  return ok({ width: decoded.width, height: decoded.height, channels: 3, data: decoded.data });
}

export function encodeJpeg(raster: RasterU8, quality = 90): Buffer {
  const bytes = encodeJpegFast(raster, quality);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
