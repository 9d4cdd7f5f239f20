import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { copyFixtureModels } from '../helpers/diffusion.js';
import { postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';
import { runToHistory, savedImages } from '../helpers/workflow-run.js';
import type { RasterU8 } from '../../media/raster.js';

let server: TestServer;
let socket: TestSocket;

beforeAll(async () => {
  server = await startTestServer();
  copyFixtureModels(server.dirs.modelsDir);
  socket = await TestSocket.open(server.url, 'latents');
});
afterAll(async () => {
  socket.close();
  await server.stop();
});

function run(prompt: ApiPrompt): Promise<HistoryEntry> {
  return runToHistory(server, socket, prompt);
}

function saved(entry: HistoryEntry, node: string): RasterU8[] {
  return savedImages(server, entry, node);
}

/** Decodes a latent and saves it under a prefix. */
function decodeAndSave(id: string, latent: [string, number], prefix: string | [string, number]): ApiPrompt {
  return {
    [`${id}d`]: { class_type: 'VAEDecode', inputs: { samples: latent, vae: ['ckpt', 2] } },
    [`${id}s`]: { class_type: 'SaveImage', inputs: { images: [`${id}d`, 0], filename_prefix: prefix } },
  };
}

describe('primitives and latent nodes in one workflow through the server', () => {
  it('runs every node, with primitives feeding widgets, and gets the shapes and identities ComfyUI gives', async () => {
    const prompt: ApiPrompt = {
      ckpt: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-sd-fp32' } },
      size: { class_type: 'PrimitiveInt', inputs: { value: 64 } },
      scale: { class_type: 'PrimitiveFloat', inputs: { value: 1.5 } },
      resize: { class_type: 'PrimitiveBoolean', inputs: { value: true } },
      prefix: { class_type: 'PrimitiveString', inputs: { value: 'latents' } },
      empty: { class_type: 'EmptyLatentImage', inputs: { width: ['size', 0], height: 64, batch_size: 2 } },
      image: { class_type: 'LoadImage', inputs: { image: 'test.png' } },
      scaled: {
        class_type: 'ImageScale',
        inputs: { image: ['image', 0], upscale_method: 'bilinear', width: 64, height: 64, crop: 'disabled' },
      },
      encoded: { class_type: 'VAEEncode', inputs: { pixels: ['scaled', 0], vae: ['ckpt', 2] } },
      repeated: { class_type: 'RepeatLatentBatch', inputs: { samples: ['encoded', 0], amount: 3 } },
      picked: { class_type: 'LatentFromBatch', inputs: { samples: ['repeated', 0], batch_index: 1, length: 2 } },
      flip1: { class_type: 'LatentFlip', inputs: { samples: ['picked', 0], flip_method: 'y-axis: horizontally' } },
      flip2: { class_type: 'LatentFlip', inputs: { samples: ['flip1', 0], flip_method: 'y-axis: horizontally' } },
      rot1: { class_type: 'LatentRotate', inputs: { samples: ['flip2', 0], rotation: '90 degrees' } },
      rot2: { class_type: 'LatentRotate', inputs: { samples: ['rot1', 0], rotation: '270 degrees' } },
      pasted: {
        class_type: 'LatentComposite',
        inputs: { samples_to: ['empty', 0], samples_from: ['rot2', 0], x: 0, y: 0, feather: 0 },
      },
      up: {
        class_type: 'LatentUpscaleBy',
        inputs: { samples: ['encoded', 0], upscale_method: 'bislerp', scale_by: ['scale', 0] },
      },
      cropped: { class_type: 'LatentCrop', inputs: { samples: ['up', 0], width: 64, height: 64, x: 8, y: 8 } },
      masked: {
        class_type: 'LatentCompositeMasked',
        inputs: { destination: ['encoded', 0], source: ['up', 0], x: 0, y: 0, resize_source: ['resize', 0] },
      },
      blended: {
        class_type: 'LatentBlend',
        inputs: { samples1: ['encoded', 0], samples2: ['empty', 0], blend_factor: 0.5 },
      },
      ...decodeAndSave('orig', ['encoded', 0], ['prefix', 0]),
      ...decodeAndSave('round', ['pasted', 0], 'round'),
      ...decodeAndSave('up', ['up', 0], 'up'),
      ...decodeAndSave('crop', ['cropped', 0], 'crop'),
      ...decodeAndSave('mask', ['masked', 0], 'mask'),
      ...decodeAndSave('blend', ['blended', 0], 'blend'),
    };
    const entry = await run(prompt);
    const [original] = saved(entry, 'origs');
    expect(original).toMatchObject({ width: 64, height: 64 });
    expect(entry.outputs['origs']?.images?.[0]?.filename).toMatch(/^latents_/);
    // Two flips and a 90° + 270° turn undo themselves; pasting over an empty latent of the same size replaces it.
    const round = saved(entry, 'rounds');
    expect(round).toHaveLength(2);
    for (const item of round) expect(Buffer.from(item.data).equals(Buffer.from(original!.data))).toBe(true);
    // 8×8 cells × 1.5 = 12×12 cells: 96 px; the crop takes 8×8 cells of it.
    expect(saved(entry, 'ups')[0]).toMatchObject({ width: 96, height: 96 });
    expect(saved(entry, 'crops')[0]).toMatchObject({ width: 64, height: 64 });
    expect(saved(entry, 'masks')[0]).toMatchObject({ width: 64, height: 64 });
    const [blend] = saved(entry, 'blends');
    expect(blend).toMatchObject({ width: 64, height: 64 });
    expect(Buffer.from(blend!.data).equals(Buffer.from(original!.data))).toBe(false);
  }, 120_000);

  it('reports a bad input naming the node', async () => {
    const response = await postJson(`${server.url}/prompt`, {
      client_id: 'latents',
      prompt: {
        a: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 2 } },
        b: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 3 } },
        c: { class_type: 'LatentBlend', inputs: { samples1: ['a', 0], samples2: ['b', 0], blend_factor: 0.5 } },
        d: { class_type: 'VAEDecode', inputs: { samples: ['c', 0], vae: ['e', 2] } },
        e: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-sd-fp32' } },
        f: { class_type: 'PreviewImage', inputs: { images: ['d', 0] } },
      },
    });
    expect(response.status).toBe(200);
    const messages = await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
    const error = messages.find((m) => m.type === 'execution_error');
    expect(JSON.stringify(error)).toContain('LatentBlend: samples1 and samples2 have batch sizes 2 and 3');
  }, 60_000);
});
