import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import { encodePng } from '../../media/png.js';
import { getJson, startTestServer, testPng, type TestServer } from '../helpers/server.js';

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

interface Answer {
  readonly status: number;
  readonly json: unknown;
}

async function uploadMask(mask: Uint8Array, fields: Record<string, string>): Promise<Answer> {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(mask)]), 'clipspace-mask.png');
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  const response = await fetch(`${server.url}/api/upload/mask`, { method: 'POST', body: form });
  return { status: response.status, json: await response.json() };
}

/** A 16×12 mask whose alpha is the column index times 10. */
function maskPng(width = 16, height = 12): Buffer {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data[i * 4 + 3] = (i % width) * 10;
  return encodePng({ width, height, channels: 4, data });
}

function expectRefusal(answer: Answer, status: number, type: string, field: string): void {
  expect(answer.status).toBe(status);
  expect(answer.json).toHaveProperty('error.type', type);
  expect(answer.json).toHaveProperty('error.message', expect.stringContaining(field));
}

describe('POST /upload/mask', () => {
  it("stores the original's pixels with the mask's alpha, as ComfyUI's mask editor expects", async () => {
    const answer = await uploadMask(maskPng(), {
      original_ref: JSON.stringify({ filename: 'test.png', type: 'input', subfolder: '' }),
      type: 'input',
      subfolder: 'clipspace',
    });
    expect(answer).toEqual({
      status: 200,
      json: { name: 'clipspace-mask.png', subfolder: 'clipspace', type: 'input' },
    });
    const stored = decodeImage(readFileSync(join(server.dirs.inputDir, 'clipspace', 'clipspace-mask.png')));
    const original = decodeImage(testPng(16, 12));
    expect(stored.ok && original.ok).toBe(true);
    if (!stored.ok || !original.ok) return;
    const { raster } = stored.value;
    expect(raster.channels).toBe(4);
    for (let i = 0; i < 16 * 12; i++) {
      expect(raster.data[i * 4 + 3]).toBe((i % 16) * 10);
      expect(raster.data[i * 4]).toBe(original.value.raster.data[i * original.value.raster.channels]);
    }
    // The annotated form of the name also finds the original.
    const annotated = await uploadMask(maskPng(), { original_ref: JSON.stringify({ filename: 'test.png [input]' }) });
    expect(annotated.status).toBe(200);
  });

  it('refuses a bad original_ref, a missing original and a mask of another size, naming the field', async () => {
    expectRefusal(await uploadMask(maskPng(), {}), 400, 'invalid_original_ref', 'original_ref');
    expectRefusal(await uploadMask(maskPng(), { original_ref: '{' }), 400, 'invalid_original_ref', 'original_ref');
    expectRefusal(
      await uploadMask(maskPng(), { original_ref: JSON.stringify({ filename: 'test.png', type: 'models' }) }),
      400,
      'invalid_original_ref',
      'original_ref.type',
    );
    expectRefusal(
      await uploadMask(maskPng(), { original_ref: JSON.stringify({ filename: '../test.png', type: 'input' }) }),
      400,
      'forbidden_path',
      'original_ref.filename',
    );
    expectRefusal(
      await uploadMask(maskPng(), {
        original_ref: JSON.stringify({ filename: 'test.png', subfolder: '../..', type: 'input' }),
      }),
      403,
      'forbidden_path',
      'original_ref.subfolder',
    );
    expectRefusal(
      await uploadMask(maskPng(), { original_ref: JSON.stringify({ filename: 'gone.png', type: 'input' }) }),
      404,
      'not_found',
      'original_ref.filename',
    );
    expectRefusal(
      await uploadMask(maskPng(4, 4), { original_ref: JSON.stringify({ filename: 'test.png', type: 'input' }) }),
      400,
      'mask_size_mismatch',
      'image',
    );
  });

  it('has the same limits as /upload/image', async () => {
    const ref = { original_ref: JSON.stringify({ filename: 'test.png', type: 'input' }) };
    expectRefusal(await uploadMask(Buffer.from('not an image'), ref), 400, 'not_an_image', 'clipspace-mask.png');
    const form = new FormData();
    form.append('original_ref', ref.original_ref);
    const response = await fetch(`${server.url}/upload/mask`, { method: 'POST', body: form });
    expect(response.status).toBe(400);
    expect(await response.json()).toHaveProperty('error.type', 'no_image');
  });
});

describe('GET /view_metadata/{folder}', () => {
  it("answers a safetensors file's __metadata__, and 404 as ComfyUI does for everything else", async () => {
    const header = Buffer.from(JSON.stringify({ __metadata__: { modelspec: 'x' } }), 'utf8');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(join(server.dirs.modelsDir, 'classifiers', 'tagged.safetensors'), Buffer.concat([length, header]));
    expect(await getJson(`${server.url}/api/view_metadata/classifiers?filename=tagged.safetensors`)).toEqual({
      status: 200,
      json: { modelspec: 'x' },
    });
    for (const query of [
      'classifiers?filename=things.onnx',
      'classifiers',
      'classifiers?filename=gone.safetensors',
      'classifiers?filename=..%2F..%2Fetc%2Fpasswd.safetensors',
      'checkpoints?filename=alpha.safetensors',
      'nope?filename=tagged.safetensors',
    ]) {
      const answer = await getJson(`${server.url}/view_metadata/${query}`);
      expect(answer.status, query).toBe(404);
      expect(answer.json).toHaveProperty('error.type', 'not_found');
    }
  });
});
