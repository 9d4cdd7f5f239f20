import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestServer, type TestServer } from '../helpers/server.js';

/** Issue 15, item 4: routes real ComfyUI clients call, answered as ComfyUI answers them. */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  // Two pipeline folders; only the second has a VAE decoder.
  for (const name of ['alpha', 'beta']) {
    mkdirSync(join(server.dirs.modelsDir, 'diffusion', name), { recursive: true });
    writeFileSync(join(server.dirs.modelsDir, 'diffusion', name, 'model_index.json'), '{}');
  }
  mkdirSync(join(server.dirs.modelsDir, 'diffusion', 'beta', 'vae_decoder'));
  writeFileSync(join(server.dirs.modelsDir, 'diffusion', 'beta', 'vae_decoder', 'model.onnx'), '');
  mkdirSync(join(server.dirs.modelsDir, 'classifiers'), { recursive: true });
  writeFileSync(join(server.dirs.modelsDir, 'classifiers', 'things.onnx'), '');
});
afterAll(async () => {
  await server.stop();
});

describe('GET /models/{folder} with ComfyUI folder names', () => {
  it('lists every ComfyUI folder key besides Inkgraph own', async () => {
    const { status, json } = await getJson(`${server.url}/api/models`);
    expect(status).toBe(200);
    expect(json).toEqual(expect.arrayContaining(['diffusion', 'segmenters', 'checkpoints', 'loras', 'vae']));
  });

  it('checkpoints are the pipelines, vae the pipelines with a VAE decoder', async () => {
    expect(await getJson(`${server.url}/models/checkpoints`)).toEqual({ status: 200, json: ['alpha', 'beta'] });
    expect(await getJson(`${server.url}/api/models/vae`)).toEqual({ status: 200, json: ['beta'] });
    expect(await getJson(`${server.url}/models/classifiers`)).toEqual({ status: 200, json: ['things.onnx'] });
  });

  it('folders Inkgraph has nothing for answer [], unknown ones 404', async () => {
    for (const folder of ['loras', 'controlnet', 'upscale_models', 'diffusion_models', 'unet', 'clip'])
      expect(await getJson(`${server.url}/models/${folder}`)).toEqual({ status: 200, json: [] });
    const unknown = await getJson(`${server.url}/models/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toHaveProperty('error.type', 'unknown_folder');
  });
});
