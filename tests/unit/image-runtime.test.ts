import { describe, expect, it } from 'vitest';
import {
  batchItemToRaster,
  concatImageBatches,
  createImageBatch,
  rasterToImageBatch,
} from '../../nodes/runtime/image/image-batch.js';
import { asciiJson, encodePng, readPngText } from '../../media/png.js';
import { crc32 } from '../../media/png-encoder.js';
import { decodeImage } from '../../media/decode-image.js';
import { encodeJpeg } from '../../media/jpeg.js';
import { centerCropWindow, resizeImageBatch, resolveTargetSize } from '../../nodes/runtime/image/resize.js';

function grey(width: number, height: number, values: number[]) {
  const image = createImageBatch(1, height, width, 3);
  values.forEach((value, pixel) => image.data.fill(value, pixel * 3, pixel * 3 + 3));
  return image;
}

function channel0(image: { data: Float32Array; channels: number }): number[] {
  return Array.from({ length: image.data.length / image.channels }, (_, i) =>
    Number(image.data[i * image.channels]!.toFixed(4)),
  );
}

describe('resize', () => {
  it('bilinear 2→4 matches PyTorch (align_corners=False)', () => {
    // src [0, 1]: centres at -0.25, 0.25, 0.75, 1.25 → clamped → [0, 0.25, 0.75, 1]
    const out = resizeImageBatch(grey(2, 1, [0, 1]), 4, 1, 'bilinear', 'disabled');
    expect(channel0(out)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('nearest-exact 4→2 takes pixel centres', () => {
    const out = resizeImageBatch(grey(4, 1, [0.1, 0.2, 0.3, 0.4]), 2, 1, 'nearest-exact', 'disabled');
    expect(channel0(out)).toEqual([0.2, 0.4]);
  });

  it('area 4→2 averages pairs', () => {
    const out = resizeImageBatch(grey(4, 1, [0, 1, 0.5, 0.5]), 2, 1, 'area', 'disabled');
    expect(channel0(out)).toEqual([0.5, 0.5]);
  });

  it('bicubic and lanczos keep a flat image flat and stay in 0..1', () => {
    for (const method of ['bicubic', 'lanczos'] as const) {
      const flat = resizeImageBatch(grey(3, 3, new Array<number>(9).fill(0.6)), 7, 5, method, 'disabled');
      for (const value of channel0(flat)) expect(value).toBeCloseTo(0.6, 4);
      const edge = resizeImageBatch(grey(4, 1, [0, 0, 1, 1]), 9, 1, method, 'disabled');
      for (const value of channel0(edge)) expect(value >= 0 && value <= 1).toBe(true);
    }
  });

  it('centre crop keeps the target aspect ratio', () => {
    expect(centerCropWindow(200, 100, 50, 50)).toEqual({ x: 50, y: 0, width: 100, height: 100 });
    expect(centerCropWindow(100, 200, 50, 50)).toEqual({ x: 0, y: 50, width: 100, height: 100 });
    // 5×1 to 1×1: x = round((5 − 1) / 2) = 2 keeps the middle column only.
    expect(centerCropWindow(5, 1, 1, 1)).toEqual({ x: 2, y: 0, width: 1, height: 1 });
    const cropped = resizeImageBatch(grey(5, 1, [0.1, 0.2, 0.3, 0.4, 0.5]), 1, 1, 'area', 'center');
    expect(channel0(cropped)).toEqual([0.3]);
  });

  it('reads 0 as "keep the aspect ratio"', () => {
    expect(resolveTargetSize(200, 100, 100, 0)).toEqual({ width: 100, height: 50 });
    expect(resolveTargetSize(200, 100, 0, 50)).toEqual({ width: 100, height: 50 });
    expect(resolveTargetSize(200, 100, 0, 0)).toEqual({ width: 200, height: 100 });
  });

  it('resizes every item of a batch', () => {
    const batch = concatImageBatches([grey(2, 1, [0, 1]), grey(2, 1, [1, 0])]);
    const out = resizeImageBatch(batch, 4, 1, 'bilinear', 'disabled');
    expect(out.batch).toBe(2);
    expect(channel0(out)).toEqual([0, 0.25, 0.75, 1, 1, 0.75, 0.25, 0]);
  });
});

describe('PNG and JPEG codecs', () => {
  it('computes the PNG CRC-32 (IEND chunk)', () => {
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
  });

  it('escapes non-ASCII JSON as Python json.dumps does', () => {
    expect(asciiJson({ text: '蓝色 é' })).toBe('{"text":"\\u84dd\\u8272 \\u00e9"}');
    expect(JSON.parse(asciiJson({ text: '蓝色 é' }))).toEqual({ text: '蓝色 é' });
  });

  it('writes prompt and workflow as tEXt chunks that read back, and keeps the pixels', () => {
    const pixels = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const png = encodePng(
      { width: 2, height: 2, channels: 3, data: pixels },
      { text: { prompt: asciiJson({ a: '中' }), workflow: '{"b":1}' } },
    );
    const latin1 = png.toString('latin1');
    expect(latin1).toContain('tEXtprompt\0{"a":"\\u4e2d"}');
    expect(latin1.indexOf('tEXt')).toBeLessThan(latin1.indexOf('IDAT'));
    expect(readPngText(png)).toEqual({ prompt: '{"a":"\\u4e2d"}', workflow: '{"b":1}' });
    const decoded = decodeImage(png);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.value.raster.width).toBe(2);
    expect([...decoded.value.raster.data.subarray(0, 4)]).toEqual([255, 0, 0, 255]);
    expect(decoded.value.text.workflow).toBe('{"b":1}');
  });

  it('decodes JPEG and refuses what is neither', () => {
    const jpeg = encodeJpeg({ width: 8, height: 8, channels: 3, data: new Uint8Array(192).fill(128) }, 95);
    const decoded = decodeImage(jpeg);
    expect(decoded.ok && decoded.value.raster.channels).toBe(3);
    expect(decoded.ok && Math.abs(decoded.value.raster.data[0]! - 128)).toBeLessThan(3);
    expect(decodeImage(Uint8Array.from([1, 2, 3]))).toEqual({ ok: false, reason: 'not a PNG or JPEG image' });
    expect(decodeImage(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])).ok).toBe(false);
  });

  it('converts between float batches and 8-bit rasters with rounding and clamping', () => {
    const image = createImageBatch(1, 1, 2, 3);
    image.data.set([0, 0.5, 1, -0.2, 1.3, 0.998]);
    expect([...batchItemToRaster(image, 0).data]).toEqual([0, 128, 255, 0, 255, 254]);
    const back = rasterToImageBatch({ width: 1, height: 1, channels: 3, data: Uint8Array.from([0, 51, 255]) });
    expect([...back.data]).toEqual([0, Math.fround(0.2), 1]);
  });

  it('refuses to batch images of different sizes', () => {
    expect(() => concatImageBatches([createImageBatch(1, 2, 2, 3), createImageBatch(1, 3, 2, 3)])).toThrow(
      /share a size/,
    );
  });
});
