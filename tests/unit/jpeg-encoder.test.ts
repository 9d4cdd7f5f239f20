import { describe, expect, it } from 'vitest';
import { encodeJpegFast } from '../../media/jpeg-encoder.js';
import { decodeImage } from '../../media/decode-image.js';

function psnr(a: Uint8Array, b: Uint8Array): number {
  let squared = 0;
  for (let i = 0; i < a.length; i++) squared += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (squared / a.length));
}

describe('baseline JPEG encoder', () => {
  it('writes a JPEG that a standard decoder reads back faithfully, at odd sizes too', () => {
    for (const [width, height] of [
      [16, 16],
      [37, 21],
      [64, 48],
    ] as const) {
      const data = new Uint8Array(width * height * 3);
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 3;
          data[i] = (x * 255) / width;
          data[i + 1] = (y * 255) / height;
          data[i + 2] = ((x + y) % 7) * 30;
        }
      const jpeg = encodeJpegFast({ width, height, channels: 3, data }, 95);
      expect([jpeg[0], jpeg[1], jpeg.at(-2), jpeg.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
      const decoded = decodeImage(jpeg);
      if (!decoded.ok) throw new Error(decoded.reason);
      expect([decoded.value.raster.width, decoded.value.raster.height]).toEqual([width, height]);
      expect(psnr(decoded.value.raster.data, data)).toBeGreaterThan(30);
    }
  });

  it('lower quality gives fewer bytes; RGBA input ignores alpha', () => {
    const data = new Uint8Array(32 * 32 * 4).map((_, i) => (i % 4 === 3 ? 0 : (i * 13) % 256));
    const high = encodeJpegFast({ width: 32, height: 32, channels: 4, data }, 95);
    const low = encodeJpegFast({ width: 32, height: 32, channels: 4, data }, 30);
    expect(low.length).toBeLessThan(high.length);
    expect(decodeImage(low).ok).toBe(true);
  });
});
