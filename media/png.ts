import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import type { RasterU8 } from './raster.js';
import { pngScanlineBytes, readPngHeader, type PngHeader } from './image-header.js';
import { checkPixelCount, DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image-limits.js';
import { err, ok, type Result } from '../shared/result.js';
import { pngChunks } from './png-chunks.js';
import { PNG_SIGNATURE, pngChunk, writePng } from './png-encoder.js';

/**
 * The PNG codec with the text chunks ComfyUI writes: `prompt` and `workflow` as Latin-1 `tEXt`
 * chunks holding ASCII-escaped JSON, so ComfyUI and Inkgraph can each read the other's images.
 */

/** JSON as Python's `json.dumps` writes it for ComfyUI: every non-ASCII character escaped. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
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

export interface PngText {
  readonly text: Record<string, string>;
  /** Keywords of compressed chunks that inflate beyond the limit: skipped, never inflated further. */
  readonly tooLarge: readonly string[];
}

/** Inflates a compressed text chunk with a cap: a 1 MB chunk can otherwise inflate to a gigabyte. */
function inflateText(body: Uint8Array, maxBytes: number): Buffer | 'too-large' {
  try {
    return inflateSync(body, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (error) {
    if (error instanceof RangeError) return 'too-large';
    throw error;
  }
}

/** Reads the `tEXt`, `zTXt` and `iTXt` chunks of a PNG into `{keyword: text}`, and names the oversized ones. */
export function readPngTextChunks(bytes: Uint8Array, maxTextBytes = DEFAULT_IMAGE_LIMITS.maxTextBytes): PngText {
  const text: Record<string, string> = {};
  const tooLarge: string[] = [];
  if (!isPng(bytes)) return { text, tooLarge };
  for (const chunk of pngChunks(bytes)) {
    const data = Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength);
    const nul = data.indexOf(0);
    if (nul <= 0) continue;
    const keyword = data.toString('latin1', 0, nul);
    try {
      if (chunk.type === 'tEXt') {
        text[keyword] = data.toString('latin1', nul + 1);
      } else if (chunk.type === 'zTXt') {
        const inflated = inflateText(data.subarray(nul + 2), maxTextBytes);
        if (inflated === 'too-large') tooLarge.push(keyword);
        else text[keyword] = inflated.toString('latin1');
      } else if (chunk.type === 'iTXt') {
        const compressed = data[nul + 1] === 1;
        const languageEnd = data.indexOf(0, nul + 3);
        const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
        if (translatedEnd < 0) continue;
        const body = data.subarray(translatedEnd + 1);
        const inflated = compressed ? inflateText(body, maxTextBytes) : body;
        if (inflated === 'too-large') tooLarge.push(keyword);
        else text[keyword] = inflated.toString('utf8');
      }
    } catch {
      // A corrupt text chunk is skipped; the pixels may still be good.
    }
  }
  return { text, tooLarge };
}

/** Reads the `tEXt`, `zTXt` and `iTXt` chunks of a PNG into `{keyword: text}`; oversized ones are skipped. */
export function readPngText(
  bytes: Uint8Array,
  maxTextBytes = DEFAULT_IMAGE_LIMITS.maxTextBytes,
): Record<string, string> {
  return readPngTextChunks(bytes, maxTextBytes).text;
}

/**
 * pngjs caps the inflation of non-interlaced IDAT data at the scanlines' size, but inflates interlaced data
 * unbounded: that stream is first inflated here with the expected size as the cap (so at most that much memory).
 */
function checkInterlacedInflation(bytes: Uint8Array, header: PngHeader): string | undefined {
  if (!header.interlaced) return undefined;
  const idat = Buffer.concat([...pngChunks(bytes)].filter((chunk) => chunk.type === 'IDAT').map((chunk) => chunk.data));
  const expected = pngScanlineBytes(header);
  try {
    inflateSync(idat, { maxOutputLength: Math.max(1, expected) });
    return undefined;
  } catch (error) {
    if (error instanceof RangeError)
      return `PNG image data inflates beyond the ${expected} bytes its ${header.width}×${header.height} header allows`;
    return `cannot decode image: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Decodes a PNG into 8-bit RGBA. The header's size is checked against `limits` before any pixel buffer is
 * allocated, and no inflation runs past what that size allows. Throws on a corrupt stream (decodeImage catches).
 */
export function decodePng(
  bytes: Uint8Array,
  limits: ImageLimits,
): Result<{ raster: RasterU8; text: Record<string, string> }> {
  const header = readPngHeader(bytes);
  if (!header.ok) return header;
  const size = checkPixelCount(header.value, limits.maxPixels);
  if (!size.ok) return size;
  const inflation = checkInterlacedInflation(bytes, header.value);
  if (inflation !== undefined) return err(inflation);
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return ok({
    raster: {
      width: png.width,
      height: png.height,
      channels: 4,
      data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength),
    },
    text: readPngText(bytes, limits.maxTextBytes),
  });
}
