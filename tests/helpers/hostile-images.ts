import { constants, deflateRawSync, deflateSync } from 'node:zlib';
import { PNG_SIGNATURE, pngChunk } from '../../media/png-encoder.js';

/**
 * Images that lie: headers claiming huge sizes, and zlib streams that inflate a thousandfold. Built in
 * milliseconds without ever holding the inflated bytes.
 */

const MIB = 1024 * 1024;

/**
 * A valid zlib stream of `bytes` zeros, about 1 KiB per MiB: one raw-deflated MiB (ending on a full flush, so it
 * stands alone) repeated, the remainder deflated the same way, an empty final block, and the Adler-32 of the zeros.
 */
export function zlibZeros(bytes: number): Buffer {
  const flushed = (length: number) =>
    deflateRawSync(Buffer.alloc(length), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const block = flushed(MIB);
  const rest = bytes % MIB;
  // Adler-32 of n zeros: a = 1, b = n (mod 65521).
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((bytes % 65521) << 16) | 1) >>> 0);
  const blocks = Array.from({ length: Math.floor(bytes / MIB) }, () => block);
  return Buffer.concat([
    Buffer.from([0x78, 0xda]),
    ...blocks,
    ...(rest > 0 ? [flushed(rest)] : []),
    Buffer.from([0x03, 0x00]),
    adler,
  ]);
}

function ihdr(width: number, height: number, options: { colorType?: number; interlaced?: boolean } = {}): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = 8;
  data[9] = options.colorType ?? 2;
  data[12] = options.interlaced ? 1 : 0;
  return pngChunk('IHDR', data);
}

function png(...chunks: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from(PNG_SIGNATURE), ...chunks, pngChunk('IEND', new Uint8Array(0))]);
}

/** A tiny PNG whose header claims `width`×`height` RGB pixels (its image data is one short row). */
export function claimedSizePng(width: number, height: number): Buffer {
  return png(ihdr(width, height), pngChunk('IDAT', deflateSync(Buffer.alloc(4))));
}

/** A valid 1×1 RGB PNG carrying a zTXt chunk `keyword` that inflates to `mebibytes` MiB. */
export function textBombPng(mebibytes: number, keyword = 'workflow'): Buffer {
  const text = Buffer.concat([Buffer.from(`${keyword}\0\0`, 'latin1'), zlibZeros(mebibytes * MIB)]);
  return png(ihdr(1, 1), pngChunk('zTXt', text), pngChunk('IDAT', deflateSync(Buffer.alloc(4))));
}

/** An interlaced `width`×`height` RGBA PNG whose image data inflates to `mebibytes` MiB, far beyond its scanlines. */
export function interlacedBombPng(width: number, height: number, mebibytes: number): Buffer {
  return png(ihdr(width, height, { colorType: 6, interlaced: true }), pngChunk('IDAT', zlibZeros(mebibytes * MIB)));
}

/**
 * A legal all-black `width`×`height` greyscale PNG of a few kilobytes: slow to decode (every pixel is real),
 * yet small enough to reach the server in one read.
 */
export function blackPng(width: number, height: number): Buffer {
  return png(ihdr(width, height, { colorType: 0 }), pngChunk('IDAT', zlibZeros(height * (1 + width))));
}
