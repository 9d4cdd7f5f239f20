import { readFileSync } from 'node:fs';
import { readImageSize, type ImageSize } from '../../media/image-header.js';
import { checkPixelCount, type ImageLimits } from '../../media/image-limits.js';
import { decodeImage } from '../../media/decode-image.js';
import { encodeJpeg } from '../../media/jpeg.js';
import { encodePng, readPngTextChunks } from '../../media/png.js';
import { toRgba } from '../../media/raster.js';
import type { RasterU8 } from '../../media/raster.js';
import { err, ok, type Err, type Result } from '../../shared/result.js';
import { describeFsError } from '../fs-errors.js';

/**
 * The media worker's jobs, as plain functions: an upload's full decode check and `/view`'s conversions. They run
 * in the worker (media-worker.ts) so a big image never holds up the server's event loop.
 */

/** Why a request is refused: the HTTP answer the route gives. */
export interface MediaRefusal {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

/** Nothing on success: the decoded pixels stay in the worker, only the verdict crosses back. */
export type UploadVerdict = Result<undefined, MediaRefusal>;

export type ViewConversion =
  { readonly kind: 'preview'; readonly quality: number } | { readonly kind: 'channel'; readonly channel: 'rgb' | 'a' };

export interface ViewImage {
  readonly bytes: Uint8Array;
  readonly contentType: string;
}

export type ViewResult = Result<ViewImage, MediaRefusal>;

export function refusal(status: number, type: string, message: string): Err<MediaRefusal> {
  return err({ status, type, message });
}

/**
 * The checks that need only the header, cheap enough for the main thread: a PNG or JPEG header, and a size
 * within the pixel limit (a 69-byte PNG may claim 16000×16000).
 */
export function checkHeader(bytes: Uint8Array, maxPixels: number, name: string): Result<ImageSize, MediaRefusal> {
  const size = readImageSize(bytes);
  if (!size.ok) return refusal(400, 'not_an_image', `${name} is not a PNG or JPEG image: ${size.reason}`);
  const pixels = checkPixelCount(size.value, maxPixels);
  return pixels.ok ? pixels : refusal(413, 'image_too_large', `${name}: ${pixels.reason}`);
}

/** An upload is kept only when it decodes within the limits and none of its text chunks inflates beyond them. */
export function checkUpload(bytes: Uint8Array, limits: ImageLimits, name: string): UploadVerdict {
  const { tooLarge } = readPngTextChunks(bytes, limits.maxTextBytes);
  if (tooLarge.length > 0) {
    return refusal(
      413,
      'image_text_too_large',
      `${name}: the text chunk ${JSON.stringify(tooLarge[0])} inflates beyond ${limits.maxTextBytes} bytes`,
    );
  }
  const decoded = decodeImage(bytes, limits);
  return decoded.ok
    ? ok(undefined)
    : refusal(400, 'not_an_image', `${name} is not a PNG or JPEG image we can read: ${decoded.reason}`);
}

function channelPng(raster: RasterU8, channel: 'rgb' | 'a'): Buffer {
  const rgba = toRgba(raster);
  const pixels = raster.width * raster.height;
  if (channel === 'rgb') {
    const out = new Uint8Array(pixels * 3);
    for (let i = 0; i < pixels; i++) out.set(rgba.subarray(i * 4, i * 4 + 3), i * 3);
    return encodePng({ width: raster.width, height: raster.height, channels: 3, data: out }, { compressionLevel: 1 });
  }
  const out = new Uint8Array(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    const alpha = rgba[i * 4 + 3]!;
    out[i * 4] = alpha;
    out[i * 4 + 1] = alpha;
    out[i * 4 + 2] = alpha;
    out[i * 4 + 3] = 255;
  }
  return encodePng({ width: raster.width, height: raster.height, channels: 4, data: out }, { compressionLevel: 1 });
}

/** Reads a file (already resolved inside its folder) and converts it for `/view`: a JPEG preview or one channel. */
export function convertForView(
  path: string,
  name: string,
  conversion: ViewConversion,
  limits: ImageLimits,
): ViewResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const described = describeFsError(error, 'filename', name);
    return refusal(described.status, described.type, described.message);
  }
  const header = checkHeader(bytes, limits.maxPixels, name);
  if (!header.ok) return header;
  const decoded = decodeImage(bytes, limits);
  if (!decoded.ok) return refusal(400, 'not_an_image', `${name}: ${decoded.reason}`);
  if (conversion.kind === 'preview')
    return ok({ bytes: encodeJpeg(decoded.value.raster, conversion.quality), contentType: 'image/jpeg' });
  return ok({ bytes: channelPng(decoded.value.raster, conversion.channel), contentType: 'image/png' });
}
