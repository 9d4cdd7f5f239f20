import { err, ok, type Result } from '../shared/result.js';
import { PNG_SIGNATURE } from './png-encoder.js';
import { pngChunks } from './png-chunks.js';

/**
 * Image dimensions read from the header alone (PNG's IHDR, JPEG's SOF marker), so a size limit can be checked
 * before any decoder allocates a pixel buffer.
 */
export interface ImageSize {
  readonly format: 'png' | 'jpeg';
  readonly width: number;
  readonly height: number;
}

export interface PngHeader extends ImageSize {
  readonly format: 'png';
  readonly bitDepth: number;
  readonly colorType: number;
  readonly interlaced: boolean;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function chunkType(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

/**
 * IHDR must be the first chunk and the only one: a second IHDR would let a small first header hide the size a
 * decoder that honours the last one (pngjs does) allocates for.
 */
export function readPngHeader(bytes: Uint8Array): Result<PngHeader> {
  if (bytes.length < 33 || !PNG_SIGNATURE.every((byte, index) => bytes[index] === byte)) return err('not a PNG image');
  const data = view(bytes);
  if (data.getUint32(8) !== 13 || chunkType(bytes, 12) !== 'IHDR')
    return err('PNG does not start with a 13-byte IHDR chunk');
  const width = data.getUint32(16);
  const height = data.getUint32(20);
  if (width === 0 || height === 0) return err(`PNG declares an empty ${width}×${height} image`);
  let headers = 0;
  for (const chunk of pngChunks(bytes)) if (chunk.type === 'IHDR') headers += 1;
  if (headers > 1) return err('PNG has more than one IHDR chunk');
  return ok({ format: 'png', width, height, bitDepth: bytes[24]!, colorType: bytes[25]!, interlaced: bytes[28] === 1 });
}

/** SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Walks the JPEG's marker segments up to the first frame header; stops at the scan data (SOS) without one. */
export function readJpegSize(bytes: Uint8Array): Result<ImageSize> {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return err('not a JPEG image');
  const data = view(bytes);
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    // Stray bytes between segments are skipped, as libjpeg (and jpeg-js) do.
    if (bytes[offset] !== 0xff) {
      offset += 1;
      continue;
    }
    const marker = bytes[offset + 1]!;
    // Fill bytes, and markers without a length (TEM, RSTn).
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return err('JPEG has no frame header before its image data');
    const length = data.getUint16(offset + 2);
    if (isStartOfFrame(marker)) {
      if (length < 8 || offset + 9 > bytes.length) return err('JPEG frame header is truncated');
      const height = data.getUint16(offset + 5);
      const width = data.getUint16(offset + 7);
      if (width === 0 || height === 0) return err(`JPEG declares an empty ${width}×${height} frame`);
      return ok({ format: 'jpeg', width, height });
    }
    offset += 2 + length;
  }
  return err('JPEG ends before its frame header');
}

export function readImageSize(bytes: Uint8Array): Result<ImageSize> {
  if (bytes[0] === 0x89) return readPngHeader(bytes);
  if (bytes[0] === 0xff) return readJpegSize(bytes);
  return err('not a PNG or JPEG image');
}

/** Samples per pixel for each PNG colour type (grey, RGB, palette, grey+alpha, RGBA). */
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Bytes of PNG scanlines (a filter byte per row) for a header: what IDAT must inflate to, all passes of Adam7 included. */
export function pngScanlineBytes(header: PngHeader): number {
  const channels = PNG_CHANNELS[header.colorType] ?? 4;
  const bitsPerPixel = channels * header.bitDepth;
  const rowBytes = (columns: number): number => (columns === 0 ? 0 : 1 + Math.ceil((columns * bitsPerPixel) / 8));
  if (!header.interlaced) return header.height * rowBytes(header.width);
  // Adam7's seven passes as [x start, y start, x step, y step].
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const columns = header.width > x0 ? Math.ceil((header.width - x0) / dx) : 0;
    const rows = header.height > y0 ? Math.ceil((header.height - y0) / dy) : 0;
    total += rows * rowBytes(columns);
  }
  return total;
}
