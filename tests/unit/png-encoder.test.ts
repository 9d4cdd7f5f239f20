import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { RasterU8 } from '../../media/raster.js';
import { bestFilter, writePng } from '../../media/png-encoder.js';

function raster(
  width: number,
  height: number,
  channels: 3 | 4,
  pixel: (x: number, y: number, c: number) => number,
): RasterU8 {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = pixel(x, y, c) & 0xff;
  return { width, height, channels, data };
}

/** Decoded by an independent decoder (pngjs), back to the raster's own channel count. */
function decode(png: Buffer, channels: 3 | 4): Uint8Array {
  const image = PNG.sync.read(png);
  const out = new Uint8Array(image.width * image.height * channels);
  for (let i = 0; i < image.width * image.height; i++)
    for (let c = 0; c < channels; c++) out[i * channels + c] = image.data[i * 4 + c]!;
  return out;
}

/** The filter type byte of each scanline, read back from IDAT. */
function filterTypes(png: Buffer, stride: number): number[] {
  const length = png.readUInt32BE(33);
  const raw = inflateSync(png.subarray(41, 41 + length));
  return Array.from({ length: raw.length / (stride + 1) }, (_, row) => raw[row * (stride + 1)]!);
}

describe('writePng', () => {
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const cases: [string, RasterU8][] = [
    ['random RGB, odd size', raster(13, 7, 3, () => random())],
    ['random RGBA', raster(9, 11, 4, () => random())],
    ['horizontal gradient, rows offset', raster(64, 8, 3, (x, y, c) => x * 4 + c + y * 37)],
    ['vertical gradient, columns scattered', raster(8, 64, 3, (x, y, c) => y * 4 + c * 9 + x * x * 23)],
    ['diagonal ramp with alpha', raster(33, 21, 4, (x, y, c) => (c === 3 ? 200 : x * 3 + y * 5 + c))],
    ['one pixel', raster(1, 1, 3, (_x, _y, c) => 40 * c)],
  ];
  it.each(cases)('%s decodes to the same pixels with an independent decoder', (_name, image) => {
    for (const level of [0, 1, 4, 9]) expect(decode(writePng(image, level), image.channels)).toEqual(image.data);
  });

  it('chooses a predicting filter where one helps, and writes colour type 2 or 6', () => {
    const horizontal = writePng(cases[2]![1], 4);
    expect(filterTypes(horizontal, 64 * 3).every((type) => type !== 0)).toBe(true);
    const vertical = writePng(cases[3]![1], 4);
    expect(filterTypes(vertical, 8 * 3).every((type) => type !== 0)).toBe(true);
    // A flat image: Sub on the first row (only its first pixel costs anything), Up below it (all zeros).
    expect(
      filterTypes(
        writePng(
          raster(16, 4, 3, () => 90),
          4,
        ),
        16 * 3,
      ),
    ).toEqual([1, 2, 2, 2]);
    expect(horizontal[25]).toBe(2);
    expect(writePng(cases[1]![1], 4)[25]).toBe(6);
  });

  it('picks the filter with the smallest sum of |signed bytes|, the lowest type on a tie, as five separate passes would', () => {
    const signed = (byte: number): number => (byte < 128 ? byte : 256 - byte);
    const paeth = (a: number, b: number, c: number): number => {
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    };
    const cost = (type: number, row: Uint8Array, above: Uint8Array, bpp: number): number => {
      let sum = 0;
      for (let i = 0; i < row.length; i++) {
        const [a, b, c] = [i >= bpp ? row[i - bpp]! : 0, above[i]!, i >= bpp ? above[i - bpp]! : 0];
        const predicted = [0, a, b, (a + b) >> 1, paeth(a, b, c)][type]!;
        sum += signed((row[i]! - predicted) & 0xff);
      }
      return sum;
    };
    const picked = new Set<number>();
    for (let trial = 0; trial < 300; trial++) {
      const bpp = trial % 2 === 0 ? 3 : 4;
      // Rows like their left neighbours, like the row above, like both, or like nothing.
      const kind = trial % 4;
      const above = Uint8Array.from({ length: bpp * 9 }, () => random());
      const row = new Uint8Array(above.length);
      for (let i = 0; i < row.length; i++) {
        const left = i >= bpp ? row[i - bpp]! : 0;
        row[i] = [
          random(),
          left + (random() % 3),
          above[i]! + (random() % 3),
          ((left + above[i]!) >> 1) + (random() % 2),
        ][kind]!;
      }
      const costs = [0, 1, 2, 3, 4].map((type) => cost(type, row, above, bpp));
      const expected = costs.indexOf(Math.min(...costs));
      expect(bestFilter(row, above, bpp)).toBe(expected);
      picked.add(expected);
    }
    // The trials reach more than one filter, so the comparison means something.
    expect(picked.size).toBeGreaterThanOrEqual(3);
  });

  it('compresses smooth images at least as well as pngjs', () => {
    const image = raster(64, 64, 3, (x, y, c) => Math.round(128 + 100 * Math.sin(x / 9 + c) * Math.cos(y / 7)));
    const reference = new PNG({ width: 64, height: 64 });
    for (let i = 0; i < 64 * 64; i++) {
      reference.data.set([image.data[i * 3]!, image.data[i * 3 + 1]!, image.data[i * 3 + 2]!, 255], i * 4);
    }
    const theirs = PNG.sync.write(reference, { colorType: 2, deflateLevel: 4 });
    expect(writePng(image, 4).length).toBeLessThanOrEqual(theirs.length * 1.02);
  });

  it('places extra chunks after IHDR and refuses a raster whose data does not match its size', () => {
    const marker = Buffer.from([0, 0, 0, 0, 0x74, 0x45, 0x58, 0x74, 0, 0, 0, 0]);
    expect(writePng(cases[5]![1], 4, [marker]).subarray(33, 45)).toEqual(marker);
    expect(() => writePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) }, 4)).toThrow(
      /needs 12 bytes, got 5/,
    );
  });
});
