import { err, ok, type Result } from '../shared/result.js';
import { readImageSize, type ImageSize } from './image-header.js';

/** What an image may cost to decode: checked from its header and while inflating, before the big allocations. */
export interface ImageLimits {
  /** Width × height beyond this is refused from the header. */
  readonly maxPixels: number;
  /** A compressed PNG text chunk (zTXt, compressed iTXt) may inflate to at most this many bytes. */
  readonly maxTextBytes: number;
}

/** The defaults of the server's `--max-image-pixels` (and its text cap), and of callers that have no options. */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 64 * 1024 * 1024, maxTextBytes: 32 * 1024 * 1024 };

export function checkPixelCount(size: ImageSize, maxPixels: number): Result<ImageSize> {
  const pixels = size.width * size.height;
  if (pixels <= maxPixels) return ok(size);
  return err(
    `${size.width}×${size.height} is ${pixels.toLocaleString('en-US')} pixels; the limit is ${maxPixels.toLocaleString('en-US')} (--max-image-pixels)`,
  );
}

/** The header's size within the pixel limit, or why not (also when the header cannot be read). */
export function checkImageHeader(bytes: Uint8Array, maxPixels: number): Result<ImageSize> {
  const size = readImageSize(bytes);
  return size.ok ? checkPixelCount(size.value, maxPixels) : size;
}
