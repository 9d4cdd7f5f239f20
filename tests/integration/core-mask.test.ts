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
  socket = await TestSocket.open(server.url, 'core-mask');
});
afterAll(async () => {
  socket.close();
  await server.stop();
});

function savedRaster(name: string): RasterU8 {
  const decoded = decodeImage(readFileSync(join(server.dirs.outputDir, 'core_mask', name)));
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.value.raster;
}

/** The red value of each pixel, row by row (a mask saved through MaskToImage is grey). */
function reds(raster: RasterU8): number[][] {
  return Array.from({ length: raster.height }, (_, y) =>
    Array.from({ length: raster.width }, (_, x) => raster.data[(y * raster.width + x) * raster.channels]!),
  );
}

describe('the core mask nodes in a workflow through the server', () => {
  it('serves their ComfyUI definitions in /object_info', async () => {
    const info = objectInfoSchema.parse((await getJson(`${server.url}/object_info`)).json);
    expect(info.SolidMask!.input.required.value).toEqual(['FLOAT', { default: 1, min: 0, max: 1, step: 0.01 }]);
    expect(info.MaskComposite!.input.required.operation![0]).toEqual([
      'multiply',
      'add',
      'subtract',
      'and',
      'or',
      'xor',
    ]);
    expect(info.GrowMask!.input_order).toEqual({ required: ['mask', 'expand', 'tapered_corners'] });
    expect(info.LoadImageMask!.input.required.channel![0]).toEqual(['alpha', 'red', 'green', 'blue']);
    expect(info.LoadImageMask!.input.required.image![0]).toContain('test.png');
    for (const name of ['SolidMask', 'ThresholdMask', 'CropMask', 'MaskComposite', 'GrowMask', 'FeatherMask']) {
      expect(info[name]).toMatchObject({ category: 'mask', output: ['MASK'], output_name: ['MASK'] });
    }
  });

  it('thresholds, composites, grows, crops, feathers and colour-masks the test image', async () => {
    // test.png is 16×12 with red = round(x / 15 × 255), green = round(y / 11 × 255), blue = 100.
    const prompt: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
      '2': { class_type: 'ImageToMask', inputs: { image: ['1', 0], channel: 'red' } },
      '3': { class_type: 'ThresholdMask', inputs: { mask: ['2', 0], value: 0.5 } }, // 1 for x ≥ 8
      '4': { class_type: 'SolidMask', inputs: { value: 1, width: 4, height: 12 } },
      '5': {
        class_type: 'MaskComposite',
        inputs: { destination: ['3', 0], source: ['4', 0], x: 2, y: 0, operation: 'add' },
      }, // and columns 2..5
      '6': { class_type: 'GrowMask', inputs: { mask: ['5', 0], expand: 1, tapered_corners: true } }, // all but column 0
      '7': { class_type: 'CropMask', inputs: { mask: ['6', 0], x: 0, y: 0, width: 8, height: 6 } },
      '8': { class_type: 'FeatherMask', inputs: { mask: ['7', 0], left: 0, top: 0, right: 0, bottom: 2 } }, // row 0 × 0.5
      '9': { class_type: 'MaskToImage', inputs: { mask: ['8', 0] } },
      '10': { class_type: 'SaveImage', inputs: { images: ['9', 0], filename_prefix: 'core_mask/a' } },
      '11': { class_type: 'LoadImageMask', inputs: { image: 'test.png', channel: 'green' } },
      '12': { class_type: 'ImageColorToMask', inputs: { image: ['1', 0], color: 0xffff64 } }, // 255 at (15, 11)
      '13': {
        class_type: 'MaskComposite',
        inputs: { destination: ['11', 0], source: ['12', 0], x: 0, y: 0, operation: 'multiply' },
      },
      '14': { class_type: 'MaskToImage', inputs: { mask: ['13', 0] } },
      '15': { class_type: 'SaveImage', inputs: { images: ['14', 0], filename_prefix: 'core_mask/b' } },
    };
    const response = await postJson(`${server.url}/prompt`, { prompt, client_id: 'core-mask' });
    expect(response.status).toBe(200);
    const messages = await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
    expect(messages.map((m) => m.type)).toContain('execution_success');

    const a = savedRaster('a_00001_.png');
    expect([a.width, a.height]).toEqual([8, 6]);
    const rowsA = reds(a);
    expect(rowsA[0]).toEqual([0, 128, 128, 128, 128, 128, 128, 128]);
    for (const row of rowsA.slice(1)) expect(row).toEqual([0, 255, 255, 255, 255, 255, 255, 255]);

    const b = savedRaster('b_00001_.png');
    expect([b.width, b.height]).toEqual([16, 12]);
    const flat = reds(b).flat();
    expect(flat[flat.length - 1]).toBe(255);
    expect(flat.slice(0, -1).every((v) => v === 0)).toBe(true);
  });

  it('pastes an image through a mask resized to the source (ImageCompositeMasked), named by a multiline primitive', async () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
      '2': { class_type: 'EmptyImage', inputs: { width: 4, height: 4, batch_size: 1, color: 0x00ff00 } },
      '3': { class_type: 'SolidMask', inputs: { value: 0, width: 8, height: 8 } },
      '4': { class_type: 'SolidMask', inputs: { value: 1, width: 4, height: 8 } },
      '5': {
        class_type: 'MaskComposite',
        inputs: { destination: ['3', 0], source: ['4', 0], x: 0, y: 0, operation: 'add' },
      }, // the left half white; resized to the 4×4 source, its left two columns
      '6': {
        class_type: 'ImageCompositeMasked',
        inputs: { destination: ['1', 0], source: ['2', 0], x: 2, y: 3, resize_source: false, mask: ['5', 0] },
      },
      '7': { class_type: 'PrimitiveStringMultiline', inputs: { value: 'core_mask/pasted' } },
      '8': { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: ['7', 0] } },
    };
    const response = await postJson(`${server.url}/prompt`, { prompt, client_id: 'core-mask' });
    expect(response.status).toBe(200);
    const messages = await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
    expect(messages.map((m) => m.type)).toContain('execution_success');
    const pasted = savedRaster('pasted_00001_.png');
    const rgb = (x: number, y: number): number[] => [
      ...pasted.data.subarray((y * pasted.width + x) * pasted.channels, (y * pasted.width + x) * pasted.channels + 3),
    ];
    // test.png: red = round(x / 15 × 255), green = round(y / 11 × 255), blue = 100.
    expect(rgb(2, 3)).toEqual([0, 255, 0]);
    expect(rgb(3, 6)).toEqual([0, 255, 0]);
    expect(rgb(4, 3)).toEqual([68, 70, 100]);
    expect(rgb(2, 7)).toEqual([34, 162, 100]);
  });

  it('reports a crop outside the mask as an error of that node and field', async () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'SolidMask', inputs: { value: 1, width: 4, height: 4 } },
      '2': { class_type: 'CropMask', inputs: { mask: ['1', 0], x: 10, y: 0, width: 2, height: 2 } },
      '3': { class_type: 'MaskToImage', inputs: { mask: ['2', 0] } },
      '4': { class_type: 'PreviewImage', inputs: { images: ['3', 0] } },
    };
    const response = await postJson(`${server.url}/prompt`, { prompt, client_id: 'core-mask' });
    expect(response.status).toBe(200);
    const messages = await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
    const error = messages.find((m) => m.type === 'execution_error');
    expect(error?.type === 'execution_error' && error.data).toMatchObject({
      node_id: '2',
      node_type: 'CropMask',
      exception_message: expect.stringContaining('x: 10') as unknown,
    });
  });
});
