import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import { objectInfoSchema } from '../../shared/node-spec.js';
import type { WsMessage } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { nearestUpscaler } from '../fixtures/upscale-fixture-graphs.js';
import { getJson, postJson, startTestServer, testPng, TestSocket, type TestServer } from '../helpers/server.js';
import { runToHistory, savedImages } from '../helpers/workflow-run.js';

/**
 * UpscaleModelLoader and ImageUpscaleWithModel through the server, on a nearest-neighbour ×4 model: whatever the
 * tiling, the output is the input with each pixel repeated 4×4, so tiles that land or blend wrong show.
 */

let server: TestServer;
let socket: TestSocket;

beforeAll(async () => {
  server = await startTestServer();
  const folder = join(server.dirs.modelsDir, 'upscale_models');
  mkdirSync(join(folder, 'sub'), { recursive: true });
  writeFileSync(join(folder, 'nearest-x4.onnx'), nearestUpscaler(4));
  writeFileSync(join(folder, 'sub', 'nearest-x2.onnx'), nearestUpscaler(2));
  writeFileSync(join(folder, 'sub', 'nearest-x2.json'), JSON.stringify({ scale: 2 }));
  writeFileSync(join(folder, 'not-an-upscaler.onnx'), new Uint8Array([1, 2, 3]));
  // Wider than one 512-pixel tile: two tiles side by side, overlapping by 32.
  writeFileSync(join(server.dirs.inputDir, 'wide.png'), testPng(700, 30));
  socket = await TestSocket.open(server.url, 'upscale-test');
});

afterAll(async () => {
  socket?.close();
  await server?.stop();
});

function upscalePrompt(model: string, image = 'wide.png'): ApiPrompt {
  return {
    '1': { class_type: 'LoadImage', inputs: { image } },
    '2': { class_type: 'UpscaleModelLoader', inputs: { model_name: model } },
    '3': { class_type: 'ImageUpscaleWithModel', inputs: { upscale_model: ['2', 0], image: ['1', 0] } },
    '4': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'upscaled' } },
  };
}

describe('ImageUpscaleWithModel', () => {
  it('is in /object_info as ComfyUI defines it, and /models/upscale_models lists the models', async () => {
    const info = objectInfoSchema.parse((await getJson(`${server.url}/object_info`)).json);
    expect(Object.keys(info.ImageUpscaleWithModel!.input.required ?? {})).toEqual(['upscale_model', 'image']);
    expect(info.ImageUpscaleWithModel!.output).toEqual(['IMAGE']);
    expect(info.UpscaleModelLoader!.output).toEqual(['UPSCALE_MODEL']);
    expect((await getJson(`${server.url}/models/upscale_models`)).json).toEqual([
      'nearest-x4.onnx',
      'not-an-upscaler.onnx',
      'sub/nearest-x2.onnx',
    ]);
  });

  it('upscales ×4 in two overlapping tiles to exactly the nearest-neighbour image, with progress per tile', async () => {
    const response = await postJson(`${server.url}/prompt`, {
      prompt: upscalePrompt('nearest-x4.onnx'),
      client_id: socket.clientId,
    });
    const promptId = (response.json as { prompt_id: string }).prompt_id;
    const messages = await socket.waitForEnd(promptId);
    const progress = messages.filter(
      (m): m is Extract<WsMessage, { type: 'progress' }> => m.type === 'progress' && m.data.node === '3',
    );
    expect(progress.map((m) => [m.data.value, m.data.max])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    const entry = ((await getJson(`${server.url}/history/${promptId}`)).json as Record<string, never>)[promptId]!;
    const [upscaled] = savedImages(server, entry, '4');
    const source = decodeImage(testPng(700, 30));
    if (!source.ok) throw new Error(source.reason);
    const input = source.value.raster;
    expect([upscaled!.width, upscaled!.height]).toEqual([2800, 120]);
    let worst = 0;
    for (let y = 0; y < 120; y++)
      for (let x = 0; x < 2800; x++)
        for (let c = 0; c < 3; c++) {
          const got = upscaled!.data[(y * 2800 + x) * upscaled!.channels + c]!;
          const want = input.data[(Math.floor(y / 4) * 700 + Math.floor(x / 4)) * input.channels + c]!;
          worst = Math.max(worst, Math.abs(got - want));
        }
    expect(worst).toBe(0);
  });

  it('reads the scale from a sidecar in a subfolder, and ImageScaleBy after it halves it back', async () => {
    const prompt = upscalePrompt('sub/nearest-x2.onnx');
    prompt['5'] = {
      class_type: 'ImageScaleBy',
      inputs: { image: ['3', 0], upscale_method: 'nearest-exact', scale_by: 0.5 },
    };
    prompt['4']!.inputs.images = ['5', 0];
    const entry = await runToHistory(server, socket, prompt);
    const [image] = savedImages(server, entry, '4');
    expect([image!.width, image!.height]).toEqual([700, 30]);
  });

  it('refuses a file that is not an upscaler, naming the node', async () => {
    const response = await postJson(`${server.url}/prompt`, {
      prompt: upscalePrompt('not-an-upscaler.onnx'),
      client_id: socket.clientId,
    });
    const messages = await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
    const error = messages.find(
      (m): m is Extract<WsMessage, { type: 'execution_error' }> => m.type === 'execution_error',
    );
    expect(error?.data.node_id).toBe('2');
    expect(error?.data.node_type).toBe('UpscaleModelLoader');
  });
});
