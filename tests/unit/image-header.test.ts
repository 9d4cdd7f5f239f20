import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pngScanlineBytes, readImageSize, readJpegSize, readPngHeader } from '../../media/image-header.js';
import { checkImageHeader } from '../../media/image-limits.js';
import { decodeImage } from '../../media/decode-image.js';
import { encodeJpeg } from '../../media/jpeg.js';
import { encodePng, readPngText, readPngTextChunks } from '../../media/png.js';
import { PNG_SIGNATURE, pngChunk } from '../../media/png-encoder.js';
import { claimedSizePng, interlacedBombPng, textBombPng } from '../helpers/hostile-images.js';
import { objectContaining, stringContaining } from '../helpers/matchers.js';

const rgb = (width: number, height: number) => ({
  width,
  height,
  channels: 3 as const,
  data: new Uint8Array(width * height * 3).fill(90),
});

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** An interlaced RGBA PNG written pass by pass (filter 0), pixel (x, y) = [x, y, x ^ y, 255]. */
function interlacedPng(width: number, height: number): Buffer {
  const rows: number[] = [];
  for (const [x0, y0, dx, dy] of ADAM7) {
    if (width <= x0 || height <= y0) continue;
    for (let y = y0; y < height; y += dy) {
      rows.push(0);
      for (let x = x0; x < width; x += dx) rows.push(x, y, x ^ y, 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 1], 8);
  return Buffer.concat([
    Buffer.from(PNG_SIGNATURE),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Uint8Array.from(rows))),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

describe('image headers', () => {
  it('reads a PNG size from IHDR and a JPEG size from its frame header', () => {
    expect(readImageSize(encodePng(rgb(17, 5)))).toEqual({
      ok: true,
      value: objectContaining({ format: 'png', width: 17, height: 5 }),
    });
    expect(readImageSize(encodeJpeg(rgb(33, 9)))).toEqual({
      ok: true,
      value: { format: 'jpeg', width: 33, height: 9 },
    });
    expect(readPngHeader(claimedSizePng(16000, 16000))).toEqual({
      ok: true,
      value: { format: 'png', width: 16000, height: 16000, bitDepth: 8, colorType: 2, interlaced: false },
    });
  });

  it('finds a progressive frame header after other segments and fill bytes', () => {
    const app1 = [0xff, 0xe1, 0x00, 0x06, 1, 2, 3, 4];
    const sof2 = [0xff, 0xff, 0xc2, 0x00, 0x11, 0x08, 0x03, 0x00, 0x05, 0x00, 0x03, 0x01, 0x11, 0x00];
    expect(readJpegSize(Uint8Array.from([0xff, 0xd8, ...app1, ...sof2]))).toEqual({
      ok: true,
      value: { format: 'jpeg', width: 1280, height: 768 },
    });
    // A DHT segment (0xC4) sits in the SOF range but is not a frame.
    const dht = [0xff, 0xc4, 0x00, 0x04, 0, 0];
    expect(readJpegSize(Uint8Array.from([0xff, 0xd8, ...dht, ...sof2]))).toEqual({
      ok: true,
      value: { format: 'jpeg', width: 1280, height: 768 },
    });
  });

  it('refuses headers that cannot be trusted', () => {
    expect(readImageSize(Uint8Array.from([1, 2, 3])).ok).toBe(false);
    expect(readJpegSize(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 2])).ok).toBe(false);
    expect(readJpegSize(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10])).ok).toBe(false);
    expect(readPngHeader(claimedSizePng(0, 10)).ok).toBe(false);
    // A second IHDR would let a 1×1 first header hide what pngjs (which honours the last) allocates for.
    const small = claimedSizePng(1, 1);
    const doubled = Buffer.concat([
      small.subarray(0, 33),
      claimedSizePng(16000, 16000).subarray(8, 33),
      small.subarray(33),
    ]);
    expect(readPngHeader(doubled)).toEqual({ ok: false, reason: 'PNG has more than one IHDR chunk' });
  });

  it('checks the pixel limit from the header alone', () => {
    const result = checkImageHeader(claimedSizePng(16000, 16000), 64 * 1024 * 1024);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain('256,000,000 pixels');
    expect(checkImageHeader(claimedSizePng(8192, 8192), 64 * 1024 * 1024).ok).toBe(true);
  });

  it('counts scanline bytes, Adam7 passes included', () => {
    expect(pngScanlineBytes({ format: 'png', width: 3, height: 2, bitDepth: 8, colorType: 2, interlaced: false })).toBe(
      2 * (1 + 9),
    );
    expect(
      pngScanlineBytes({ format: 'png', width: 10, height: 1, bitDepth: 1, colorType: 0, interlaced: false }),
    ).toBe(1 + 2);
    // 1×1 interlaced: only the first pass has a pixel.
    expect(pngScanlineBytes({ format: 'png', width: 1, height: 1, bitDepth: 8, colorType: 6, interlaced: true })).toBe(
      1 + 4,
    );
  });
});

describe('decodeImage with limits', () => {
  const limits = { maxPixels: 64 * 1024 * 1024, maxTextBytes: 32 * 1024 * 1024 };

  it('refuses a size beyond the limit before decoding', () => {
    const claimed = decodeImage(claimedSizePng(16000, 16000), limits);
    expect(claimed).toEqual({ ok: false, reason: stringContaining('--max-image-pixels') });
    const jpeg = decodeImage(encodeJpeg(rgb(40, 30)), { ...limits, maxPixels: 1000 });
    expect(jpeg).toEqual({ ok: false, reason: stringContaining('40×30 is 1,200 pixels') });
    expect(decodeImage(encodeJpeg(rgb(40, 30)), limits).ok).toBe(true);
  });

  it('decodes a legal interlaced PNG, and refuses interlaced data that inflates past its header', () => {
    for (const [width, height] of [
      [1, 1],
      [9, 7],
      [33, 17],
    ] as const) {
      const decoded = decodeImage(interlacedPng(width, height), limits);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) continue;
      const at = (x: number, y: number) =>
        Array.from(decoded.value.raster.data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));
      expect(at(width - 1, height - 1)).toEqual([width - 1, height - 1, (width - 1) ^ (height - 1), 255]);
    }
    const bomb = decodeImage(interlacedBombPng(100, 100, 256), limits);
    expect(bomb).toEqual({ ok: false, reason: stringContaining('inflates beyond the 40188 bytes') });
  });

  it('skips a text chunk that inflates beyond the cap, and names it', () => {
    const bomb = textBombPng(1024);
    expect(bomb.length).toBeLessThan(1.1 * 1024 * 1024);
    expect(readPngTextChunks(bomb, limits.maxTextBytes)).toEqual({ text: {}, tooLarge: ['workflow'] });
    expect(readPngText(bomb)).toEqual({});
    const decoded = decodeImage(bomb, limits);
    expect(decoded.ok && decoded.value.text).toEqual({});
    // Under the cap it is read.
    expect(readPngTextChunks(textBombPng(2), limits.maxTextBytes).text.workflow).toHaveLength(2 * 1024 * 1024);
  });
});
