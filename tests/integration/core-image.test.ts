import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import type { RasterU8 } from '../../media/raster.js';
import { objectInfoSchema } from '../../shared/node-spec.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { getJson, postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';

let server: TestServer;
let socket: TestSocket;
beforeAll(async () => {
  server = await startTestServer();
  socket = await TestSocket.open(server.url, 'core-image');
});
afterAll(async () => {
  socket.close();
  await server.stop();
});

function savedRaster(name: string): RasterU8 {
  const decoded = decodeImage(readFileSync(join(server.dirs.outputDir, 'core_image', name)));
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.value.raster;
}

/** One channel of every pixel, row by row. */
function plane(raster: RasterU8, channel: number): number[][] {
  return Array.from({ length: raster.height }, (_, y) =>
    Array.from({ length: raster.width }, (_, x) => raster.data[(y * raster.width + x) * raster.channels + channel]!),
  );
}

async function run(prompt: ApiPrompt): Promise<ReturnType<TestSocket['messages']>> {
  const response = await postJson(`${server.url}/prompt`, { prompt, client_id: 'core-image' });
  expect(response.status).toBe(200);
  return socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
}

describe('the core image nodes in a workflow through the server', () => {
  it('serves their ComfyUI definitions in /object_info', async () => {
    const info = objectInfoSchema.parse((await getJson(`${server.url}/object_info`)).json);
    expect(info.EmptyImage!.input_order).toEqual({ required: ['width', 'height', 'batch_size', 'color'] });
    expect(info.EmptyImage!.input.required.color).toEqual([
      'INT',
      { default: 0, min: 0, max: 16777215, step: 1, display: 'color' },
    ]);
    expect(info.ImageBlend!.input.required.blend_mode![0]).toEqual([
      'normal',
      'multiply',
      'screen',
      'overlay',
      'soft_light',
      'difference',
    ]);
    expect(info.ImageCrop).toMatchObject({ category: 'image/transform', display_name: 'Crop Image' });
    expect(info.ImageScaleBy!.input.required.scale_by).toEqual([
      'FLOAT',
      { default: 1, min: 0.01, max: 8, step: 0.01 },
    ]);
    expect(info.ImageScaleToTotalPixels!.input_order).toEqual({
      required: ['image', 'upscale_method', 'megapixels', 'resolution_steps'],
    });
    for (const name of ['ImageBlend', 'ImageBlur', 'ImageSharpen'])
      expect(info[name]).toMatchObject({ category: 'image/postprocessing', output: ['IMAGE'] });
  });

  it('crops, scales, batches, blends, blurs and sharpens', async () => {
    // test.png is 16×12 with red = round(x / 15 × 255), green = round(y / 11 × 255), blue = 100.
    const prompt: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
      '2': { class_type: 'ImageCrop', inputs: { image: ['1', 0], width: 4, height: 2, x: 2, y: 0 } },
      '3': { class_type: 'ImageScaleBy', inputs: { image: ['2', 0], upscale_method: 'nearest-exact', scale_by: 2 } },
      '4': { class_type: 'EmptyImage', inputs: { width: 8, height: 4, batch_size: 1, color: 0x102030 } },
      '5': { class_type: 'ImageBatch', inputs: { image1: ['4', 0], image2: ['3', 0] } },
      '6': { class_type: 'SaveImage', inputs: { images: ['5', 0], filename_prefix: 'core_image/a' } },
      '7': {
        class_type: 'ImageBlend',
        inputs: { image1: ['3', 0], image2: ['4', 0], blend_factor: 0.5, blend_mode: 'normal' },
      },
      '8': { class_type: 'SaveImage', inputs: { images: ['7', 0], filename_prefix: 'core_image/b' } },
      '9': { class_type: 'ImageSharpen', inputs: { image: ['4', 0], sharpen_radius: 1, sigma: 1, alpha: 1 } },
      '10': { class_type: 'ImageBlur', inputs: { image: ['9', 0], blur_radius: 2, sigma: 1 } },
      '11': { class_type: 'SaveImage', inputs: { images: ['10', 0], filename_prefix: 'core_image/c' } },
      '12': {
        class_type: 'ImageScaleToTotalPixels',
        inputs: { image: ['1', 0], upscale_method: 'bilinear', megapixels: 0.01, resolution_steps: 8 },
      },
      '13': { class_type: 'SaveImage', inputs: { images: ['12', 0], filename_prefix: 'core_image/d' } },
    };
    const messages = await run(prompt);
    expect(messages.map((m) => m.type)).toContain('execution_success');

    // ImageBatch: the empty image first, then the crop (columns 2..5, rows 0..1) doubled by nearest-exact.
    const empty = savedRaster('a_00001_.png');
    expect([empty.width, empty.height]).toEqual([8, 4]);
    expect(
      plane(empty, 0)
        .flat()
        .every((v) => v === 0x10),
    ).toBe(true);
    expect(
      plane(empty, 2)
        .flat()
        .every((v) => v === 0x30),
    ).toBe(true);
    const scaled = savedRaster('a_00002_.png');
    expect(plane(scaled, 0)[0]).toEqual([34, 34, 51, 51, 68, 68, 85, 85]);
    expect(plane(scaled, 1).map((row) => row[0])).toEqual([0, 0, 23, 23]);

    // normal at 0.5: the mean of the two, (34 + 16) / 2 = 25 in the first column.
    const blended = savedRaster('b_00001_.png');
    expect(plane(blended, 0)[0]).toEqual([25, 25, 34, 34, 42, 42, 51, 51]);

    // A flat image stays flat through sharpen and blur.
    const flat = savedRaster('c_00001_.png');
    expect(
      plane(flat, 1)
        .flat()
        .every((v) => v === 0x20),
    ).toBe(true);

    // 0.01 MP of a 16×12 image: scale √(10485.76 / 192) ≈ 7.39 → 118.2 and 88.7, in steps of 8 → 120×88.
    const total = savedRaster('d_00001_.png');
    expect([total.width, total.height]).toEqual([120, 88]);
  });

  it("pads for outpainting with ComfyUI's feathered mask, and centre-crops ImageScale as common_upscale", async () => {
    const info = objectInfoSchema.parse((await getJson(`${server.url}/object_info`)).json);
    expect(info.ImagePadForOutpaint).toMatchObject({
      category: 'image',
      display_name: 'Pad Image for Outpainting',
      output: ['IMAGE', 'MASK'],
      input_order: { required: ['image', 'left', 'top', 'right', 'bottom', 'feathering'] },
    });
    expect(info.ImagePadForOutpaint!.input.required.left).toEqual(['INT', { default: 0, min: 0, max: 16384, step: 8 }]);
    expect(info.ImagePadForOutpaint!.input.required.feathering).toEqual([
      'INT',
      { default: 40, min: 0, max: 16384, step: 1 },
    ]);
    const prompt: ApiPrompt = {
      '1': { class_type: 'EmptyImage', inputs: { width: 10, height: 10, batch_size: 1, color: 0xff0000 } },
      '2': {
        class_type: 'ImagePadForOutpaint',
        inputs: { image: ['1', 0], left: 8, top: 0, right: 0, bottom: 8, feathering: 4 },
      },
      '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'core_image/pad' } },
      '4': { class_type: 'MaskToImage', inputs: { mask: ['2', 1] } },
      '5': { class_type: 'SaveImage', inputs: { images: ['4', 0], filename_prefix: 'core_image/padmask' } },
      '6': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
      '7': {
        class_type: 'ImageScale',
        inputs: { image: ['6', 0], upscale_method: 'nearest-exact', width: 3, height: 5, crop: 'center' },
      },
      '8': { class_type: 'SaveImage', inputs: { images: ['7', 0], filename_prefix: 'core_image/scalecrop' } },
    };
    const messages = await run(prompt);
    expect(messages.map((m) => m.type)).toContain('execution_success');

    // 10×10 red on an 18×18 canvas of 0.5 grey (127.5 → 128), the image at x = 8, y = 0.
    const padded = savedRaster('pad_00001_.png');
    expect([padded.width, padded.height]).toEqual([18, 18]);
    expect(plane(padded, 0)[0]!.slice(6, 10)).toEqual([128, 128, 255, 255]);
    expect(plane(padded, 1)[0]!.slice(6, 10)).toEqual([128, 128, 0, 0]);
    expect(plane(padded, 0)[10]![12]).toBe(128);

    // The mask: 1 on the new area; inside, d = min(j, 10 − i) and ((4 − d) / 4)² where d < 4:
    // d = 0, 1, 2, 3 → 255, 0.5625·255 = 143.4 → 143, 0.25·255 = 63.75 → 64, 0.0625·255 = 15.9 → 16.
    const mask = plane(savedRaster('padmask_00001_.png'), 0);
    expect(mask[0]).toEqual([...Array<number>(8).fill(255), 255, 143, 64, 16, 0, 0, 0, 0, 0, 0]);
    // Row 9 is 1 from the padded bottom: 143 all along but column 0 (d = 0).
    expect(mask[9]).toEqual([...Array<number>(8).fill(255), 255, ...Array<number>(9).fill(143)]);
    expect(mask[12]).toEqual(Array<number>(18).fill(255));

    // 16×12 to 3×5, centre crop: x = round((16 − 16·(0.6 / (4/3))) / 2) = round(4.4) = 4, 8 columns (4..11) stay;
    // nearest-exact 8 → 3 takes columns 1, 4, 6 of them (5, 8, 10: red 85, 136, 170), 12 → 5 rows 1, 3, 6, 8, 10.
    const scaled = savedRaster('scalecrop_00001_.png');
    expect([scaled.width, scaled.height]).toEqual([3, 5]);
    expect(plane(scaled, 0)[0]).toEqual([85, 136, 170]);
    expect(plane(scaled, 1).map((row) => row[0])).toEqual([23, 70, 139, 185, 232]);
  });

  it("quantizes to Pillow's median-cut palette, undithered, Floyd–Steinberg and Bayer", async () => {
    const info = objectInfoSchema.parse((await getJson(`${server.url}/object_info`)).json);
    expect(info.ImageQuantize).toMatchObject({ category: 'image/postprocessing', output: ['IMAGE'] });
    expect(info.ImageQuantize!.input.required.colors).toEqual(['INT', { default: 256, min: 1, max: 256, step: 1 }]);
    expect(info.ImageQuantize!.input.required.dither![0]).toEqual([
      'none',
      'floyd-steinberg',
      'bayer-2',
      'bayer-4',
      'bayer-8',
      'bayer-16',
    ]);
    const quantize = (id: string, dither: string): ApiPrompt => ({
      [`q${id}`]: { class_type: 'ImageQuantize', inputs: { image: ['1', 0], colors: 4, dither } },
      [`s${id}`]: { class_type: 'SaveImage', inputs: { images: [`q${id}`, 0], filename_prefix: `core_image/q${id}` } },
    });
    const prompt: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
      ...quantize('none', 'none'),
      ...quantize('fs', 'floyd-steinberg'),
      ...quantize('bayer', 'bayer-4'),
    };
    const messages = await run(prompt);
    expect(messages.map((m) => m.type)).toContain('execution_success');

    // Pillow's Image.quantize(colors=4) of test.png (red = x/15, green = y/11, blue 100) gives the palette
    // (128, 220, 100), (128, 139, 100), (187, 46, 100), (51, 46, 100); Pillow's own mapping of the image onto it,
    // undithered and Floyd–Steinberg, is what these rows are.
    const palette = new Set(['128,220,100', '128,139,100', '187,46,100', '51,46,100']);
    const none = savedRaster('qnone_00001_.png');
    const colours = new Set(
      Array.from({ length: none.width * none.height }, (_, p) =>
        Array.from(none.data.subarray(p * none.channels, p * none.channels + 3)).join(),
      ),
    );
    expect(colours).toEqual(palette);
    const left8 = (value: number) => Array<number>(8).fill(value);
    expect(plane(none, 0)[0]).toEqual([...left8(51), ...left8(187)]);
    const fs = plane(savedRaster('qfs_00001_.png'), 0);
    expect(fs[0]).toEqual([51, 51, 51, 51, 51, 51, 51, 187, 51, 187, 187, 187, 187, 187, 187, 187]);
    expect(fs[1]).toEqual([51, 51, 51, 51, 51, 51, 187, 51, 187, 187, 187, 187, 187, 187, 187, 187]);
    // bayer-4 with 4 entries: spread 512 / 4 = 128, so row 0 adds 128·(−7.5, 0.5, −5.5, 2.5)/16 + 0.5 =
    // −59.5, 4.5, −43.5, 20.5 before the undithered lookup: x = 7 is (119 + 20.5, 20.5, 120.5) → (139, 20, 120),
    // nearest (187, 46, 100); x = 8 is (76, 0, 40) → (51, 46, 100).
    const bayer = plane(savedRaster('qbayer_00001_.png'), 0);
    expect(bayer[0]).toEqual([51, 51, 51, 51, 51, 51, 51, 187, 51, 187, 187, 187, 187, 187, 187, 187]);
    expect(bayer[1]).toEqual([51, 51, 51, 51, 51, 51, 187, 51, 187, 187, 187, 187, 187, 187, 187, 187]);
  });

  it('reports a blur radius the image cannot take as an error of that node and field', async () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'EmptyImage', inputs: { width: 4, height: 4, batch_size: 1, color: 0 } },
      '2': { class_type: 'ImageBlur', inputs: { image: ['1', 0], blur_radius: 4, sigma: 1 } },
      '3': { class_type: 'PreviewImage', inputs: { images: ['2', 0] } },
    };
    const messages = await run(prompt);
    const error = messages.find((m) => m.type === 'execution_error');
    expect(error?.type === 'execution_error' && error.data).toMatchObject({
      node_id: '2',
      node_type: 'ImageBlur',
      exception_message: expect.stringContaining('blur_radius') as unknown,
    });
  });
});
