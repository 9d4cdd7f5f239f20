import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import type { RasterU8 } from './image.js';
import { encodeJpegFast } from './jpeg-encoder.js';
import { PNG_SIGNATURE, pngChunk, writePng } from './png-encoder.js';

export { crc32 } from './png-encoder.js';

/**
 * PNG (and JPEG) codecs with the text chunks ComfyUI writes: `prompt` and `workflow` as Latin-1 `tEXt`
 * chunks holding ASCII-escaped JSON, so ComfyUI and Inkgraph can each read the other's images.
 */

/** JSON as Python's `json.dumps` writes it for ComfyUI: every non-ASCII character escaped. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function textChunk(keyword: string, text: string): Buffer {
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword)) throw new Error(`invalid PNG text keyword ${JSON.stringify(keyword)}`);
  // Latin-1 text: escape anything beyond it, as the JSON writers already do.
  const safe = text.replace(/[^\x00-\xff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return pngChunk('tEXt', Buffer.from(`${keyword}\0${safe}`, 'latin1'));
}

export interface EncodePngOptions {
  /** zlib level: ComfyUI's SaveImage uses 4, PreviewImage 1. */
  readonly compressionLevel?: number;
  /** Text chunks written in order after IHDR. */
  readonly text?: Readonly<Record<string, string>>;
}

export function encodePng(raster: RasterU8, options: EncodePngOptions = {}): Buffer {
  const text = Object.entries(options.text ?? {}).map(([key, value]) => textChunk(key, value));
  return writePng(raster, options.compressionLevel ?? 4, text);
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((byte, index) => bytes[index] === byte);
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Reads the `tEXt`, `zTXt` and `iTXt` chunks of a PNG into `{keyword: text}`. */
export function readPngText(bytes: Uint8Array): Record<string, string> {
  if (!isPng(bytes)) return {};
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text: Record<string, string> = {};
  let offset = 8;
  while (offset + 12 <= buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const dataStart = offset + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > buffer.length) break;
    const data = buffer.subarray(dataStart, dataEnd);
    const nul = data.indexOf(0);
    if (nul > 0) {
      const keyword = data.toString('latin1', 0, nul);
      try {
        if (type === 'tEXt') {
          text[keyword] = data.toString('latin1', nul + 1);
        } else if (type === 'zTXt') {
          text[keyword] = inflateSync(data.subarray(nul + 2)).toString('latin1');
        } else if (type === 'iTXt') {
          const compressed = data[nul + 1] === 1;
          const languageEnd = data.indexOf(0, nul + 3);
          const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
          if (translatedEnd >= 0) {
            const body = data.subarray(translatedEnd + 1);
            text[keyword] = (compressed ? inflateSync(body) : body).toString('utf8');
          }
        }
      } catch {
        // A corrupt text chunk is skipped; the pixels may still be good.
      }
    }
    if (type === 'IEND') break;
    offset = dataEnd + 4;
  }
  return text;
}

export type DecodeResult = { ok: true; raster: RasterU8; text: Record<string, string> } | { ok: false; reason: string };

/** Decodes a PNG or JPEG into 8-bit RGBA (PNG) or RGB (JPEG) pixels. */
export function decodeImage(bytes: Uint8Array): DecodeResult {
  try {
    if (isPng(bytes)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return {
        ok: true,
        raster: { width: png.width, height: png.height, channels: 4, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) },
        text: readPngText(bytes),
      };
    }
    if (isJpeg(bytes)) {
      const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
      return { ok: true, raster: { width: decoded.width, height: decoded.height, channels: 3, data: decoded.data }, text: {} };
    }
  } catch (error) {
    return { ok: false, reason: `cannot decode image: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { ok: false, reason: 'not a PNG or JPEG image' };
}

/** True when every alpha value is 255, so the alpha channel carries nothing. */
export function isOpaque(raster: RasterU8): boolean {
  if (raster.channels === 3) return true;
  for (let i = 3; i < raster.data.length; i += 4) if (raster.data[i] !== 255) return false;
  return true;
}

export function encodeJpeg(raster: RasterU8, quality = 90): Buffer {
  const bytes = encodeJpegFast(raster, quality);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function toRgba(raster: RasterU8): Uint8Array {
  if (raster.channels === 4) return raster.data;
  const out = new Uint8Array(raster.width * raster.height * 4);
  for (let i = 0, j = 0; i < raster.data.length; i += 3, j += 4) {
    out[j] = raster.data[i]!;
    out[j + 1] = raster.data[i + 1]!;
    out[j + 2] = raster.data[i + 2]!;
    out[j + 3] = 255;
  }
  return out;
}
