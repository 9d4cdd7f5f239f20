import { deflateSync } from 'node:zlib';
import type { RasterU8 } from './raster.js';

/**
 * A PNG writer for 8-bit RGB/RGBA rasters: each scanline filtered with whichever of the five PNG filters gives the
 * smallest sum of absolute (signed) bytes, the heuristic libpng and Pillow use, then Node's native zlib. It writes
 * straight from the raster (no RGBA round trip) and costs a fraction of pngjs's encoder on small images.
 */

export const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function pngChunk(type: string, data: Uint8Array): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  chunk.set(data, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

/** |byte| read as a signed value: the filter heuristic's cost of one filtered byte. */
const COST = Uint8Array.from({ length: 256 }, (_, byte) => (byte < 128 ? byte : 256 - byte));

/** Writes `row` filtered with `type` at `out[offset…]`: one plain loop per type, no branch per byte. */
function writeFiltered(
  type: number,
  row: Uint8Array,
  above: Uint8Array,
  bpp: number,
  out: Uint8Array,
  offset: number,
): void {
  const n = row.length;
  if (type === 0) {
    out.set(row, offset);
  } else if (type === 1) {
    for (let i = 0; i < n; i++) out[offset + i] = row[i]! - (i >= bpp ? row[i - bpp]! : 0);
  } else if (type === 2) {
    for (let i = 0; i < n; i++) out[offset + i] = row[i]! - above[i]!;
  } else if (type === 3) {
    for (let i = 0; i < n; i++) out[offset + i] = row[i]! - (((i >= bpp ? row[i - bpp]! : 0) + above[i]!) >> 1);
  } else {
    for (let i = 0; i < n; i++)
      out[offset + i] = row[i]! - (i >= bpp ? paeth(row[i - bpp]!, above[i]!, above[i - bpp]!) : above[i]!);
  }
}

/**
 * The filter type whose output has the smallest heuristic cost for `row` (ties: the lowest type), all five costs
 * summed in one pass; only the chosen filter is then written, which is cheaper than writing all five and keeping
 * the smallest (docs/benchmarks.md).
 */
export function bestFilter(row: Uint8Array, above: Uint8Array, bpp: number): number {
  let none = 0;
  let sub = 0;
  let up = 0;
  let average = 0;
  let paethCost = 0;
  for (let i = 0; i < row.length; i++) {
    const x = row[i]!;
    const a = i >= bpp ? row[i - bpp]! : 0;
    const b = above[i]!;
    const c = i >= bpp ? above[i - bpp]! : 0;
    none += COST[x]!;
    sub += COST[(x - a) & 0xff]!;
    up += COST[(x - b) & 0xff]!;
    average += COST[(x - ((a + b) >> 1)) & 0xff]!;
    paethCost += COST[(x - paeth(a, b, c)) & 0xff]!;
  }
  const costs = [none, sub, up, average, paethCost];
  let best = 0;
  for (let type = 1; type < 5; type++) if (costs[type]! < costs[best]!) best = type;
  return best;
}

function filteredScanlines(raster: RasterU8): Uint8Array {
  const stride = raster.width * raster.channels;
  const bpp = raster.channels;
  const out = new Uint8Array((stride + 1) * raster.height);
  let above: Uint8Array = new Uint8Array(stride);
  for (let y = 0; y < raster.height; y++) {
    const row = raster.data.subarray(y * stride, (y + 1) * stride);
    const type = bestFilter(row, above, bpp);
    out[y * (stride + 1)] = type;
    // A Uint8Array keeps the low 8 bits of what it is given: the filters' arithmetic modulo 256.
    writeFiltered(type, row, above, bpp, out, y * (stride + 1) + 1);
    above = row;
  }
  return out;
}

/** A PNG of the raster (colour type 2 or 6), with `chunks` (already framed) placed right after IHDR. */
export function writePng(raster: RasterU8, compressionLevel: number, chunks: readonly Buffer[] = []): Buffer {
  if (raster.data.length !== raster.width * raster.height * raster.channels) {
    throw new Error(
      `a ${raster.width}×${raster.height}×${raster.channels} raster needs ${raster.width * raster.height * raster.channels} bytes, got ${raster.data.length}`,
    );
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(raster.width, 0);
  header.writeUInt32BE(raster.height, 4);
  header[8] = 8;
  header[9] = raster.channels === 4 ? 6 : 2;
  const level = Math.min(9, Math.max(0, Math.round(compressionLevel)));
  const scanlines = filteredScanlines(raster);
  // A window no larger than the data loses nothing and spares zlib from setting up (and clearing) 256 KB of state
  // for a thumbnail-sized image.
  const windowBits = Math.min(15, Math.max(9, Math.ceil(Math.log2(scanlines.length + 262))));
  const compressed = deflateSync(scanlines, { level, windowBits, memLevel: Math.min(8, Math.max(1, windowBits - 7)) });
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    ...chunks,
    pngChunk('IDAT', compressed),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}
