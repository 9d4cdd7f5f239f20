import { readFileSync } from 'node:fs';
import type { ImageLimits } from '../../media/image-limits.js';
import { decodeImage } from '../../media/decode-image.js';
import { encodePng } from '../../media/png.js';
import { toRgba } from '../../media/raster.js';
import { ok } from '../../shared/result.js';
import { describeFsError } from '../fs-errors.js';
import { checkHeader, checkUpload, refusal, type ViewResult } from './media-tasks.js';

/** A keyword a PNG text chunk can carry again (the encoder refuses any other). */
const TEXT_KEYWORD = /^[\x20-\x7e]{1,79}$/;

/**
 * `/upload/mask`, as ComfyUI's server.py: the original image (read from `originalPath`, resolved inside its
 * folder) as RGBA with the uploaded mask's alpha in place of its own, saved as PNG with the original's text chunks
 * (the workflow stays with the image). Both images are decoded within `limits`; they must be the same size.
 */
export function mergeMaskAlpha(
  originalPath: string,
  originalName: string,
  mask: Uint8Array,
  maskName: string,
  limits: ImageLimits,
): ViewResult {
  const maskVerdict = checkUpload(mask, limits, maskName);
  if (!maskVerdict.ok) return maskVerdict;
  const decodedMask = decodeImage(mask, limits);
  if (!decodedMask.ok) return refusal(400, 'not_an_image', `${maskName}: ${decodedMask.reason}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(originalPath);
  } catch (error) {
    const described = describeFsError(error, 'original_ref.filename', originalName);
    return refusal(described.status, described.type, described.message);
  }
  const header = checkHeader(bytes, limits.maxPixels, `original_ref.filename ${originalName}`);
  if (!header.ok) return header;
  const original = decodeImage(bytes, limits);
  if (!original.ok) return refusal(400, 'not_an_image', `original_ref.filename ${originalName}: ${original.reason}`);
  const { raster } = original.value;
  const maskRaster = decodedMask.value.raster;
  if (maskRaster.width !== raster.width || maskRaster.height !== raster.height) {
    return refusal(
      400,
      'mask_size_mismatch',
      `image: the mask is ${maskRaster.width}×${maskRaster.height}, the original ${originalName} is ${raster.width}×${raster.height}`,
    );
  }
  // A copy: toRgba hands back the decoded buffer itself when it is already RGBA.
  const rgba = Uint8Array.from(toRgba(raster));
  const maskRgba = toRgba(maskRaster);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = maskRgba[i]!;
  const text = Object.fromEntries(Object.entries(original.value.text).filter(([key]) => TEXT_KEYWORD.test(key)));
  const png = encodePng({ width: raster.width, height: raster.height, channels: 4, data: rgba }, { text });
  return ok({ bytes: png, contentType: 'image/png' });
}
