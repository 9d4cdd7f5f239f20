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

describe('/userdata and /settings as ComfyUI app/user_manager.py and app/app_settings.py', () => {
  const userFolder = (): string => join(server.dirs.root, 'data', 'user', 'default');
  const call = async (method: string, path: string, body?: string): Promise<Response> =>
    fetch(`${server.url}${path}`, { method, ...(body !== undefined ? { body } : {}) });

  it('saves, reads, lists, moves and deletes a workflow the way the ComfyUI frontend does', async () => {
    const document = JSON.stringify({ nodes: [], links: [] });
    const saved = await call('POST', '/api/userdata/workflows%2Fa.json?overwrite=false', document);
    expect(saved.status).toBe(200);
    expect(await saved.json()).toBe('workflows/a.json');
    expect(readFileSync(join(userFolder(), 'workflows', 'a.json'), 'utf8')).toBe(document);

    const again = await call('POST', '/api/userdata/workflows%2Fa.json?overwrite=false', '{}');
    expect(again.status).toBe(409);
    expect(await again.json()).toHaveProperty('error.message', expect.stringContaining('file'));

    const read = await call('GET', '/api/userdata/workflows%2Fa.json');
    expect(read.status).toBe(200);
    expect(read.headers.get('content-disposition')).toBe('attachment');
    expect(read.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await read.text()).toBe(document);

    const info = await call('POST', '/userdata/workflows%2Fb.json?full_info=true', '{}');
    expect(await info.json()).toEqual({
      path: 'workflows/b.json',
      size: 2,
      modified: expect.any(Number) as unknown,
      created: expect.any(Number) as unknown,
    });
    expect(await getJson(`${server.url}/api/userdata?dir=workflows&recurse=true&split=false`)).toEqual({
      status: 200,
      json: ['a.json', 'b.json'],
    });
    const full = await getJson(`${server.url}/userdata?dir=workflows&full_info=true`);
    expect(full.json).toEqual([
      expect.objectContaining({ path: 'a.json', size: document.length }),
      expect.objectContaining({ path: 'b.json', size: 2 }),
    ]);

    const blocked = await call('POST', '/userdata/workflows%2Fa.json/move/workflows%2Fb.json?overwrite=false');
    expect(blocked.status).toBe(409);
    const moved = await call('POST', '/userdata/workflows%2Fa.json/move/workflows%2Fc.json');
    expect(moved.status).toBe(200);
    expect(await moved.json()).toBe('workflows/c.json');
    expect((await call('GET', '/userdata/workflows%2Fa.json')).status).toBe(404);

    expect((await call('DELETE', '/api/userdata/workflows%2Fc.json')).status).toBe(204);
    expect((await call('DELETE', '/api/userdata/workflows%2Fc.json')).status).toBe(404);
    expect(await getJson(`${server.url}/userdata?dir=workflows`)).toEqual({ status: 200, json: ['b.json'] });
  });

  it('keeps every path inside the user folder and answers bad requests with JSON naming the field', async () => {
    const listing = await getJson(`${server.url}/userdata`);
    expect(listing.status).toBe(400);
    expect(listing.json).toHaveProperty('error.message', expect.stringContaining('dir'));
    expect((await getJson(`${server.url}/userdata?dir=nothing-here`)).status).toBe(404);
    expect((await getJson(`${server.url}/userdata?dir=..%2F..`)).status).toBe(403);
    for (const [method, path, field] of [
      ['GET', '/userdata/..%2F..%2Finkgraph.sqlite', 'file'],
      ['POST', '/userdata/..%252Fescape.json', 'file'],
      ['DELETE', '/userdata/%2Fetc%2Fpasswd', 'file'],
      ['POST', '/userdata/workflows%2Fb.json/move/..%2F..%2Fout.json', 'dest'],
    ] as const) {
      const answer = await call(method, path, method === 'POST' ? '{}' : undefined);
      expect(answer.status, path).toBe(403);
      expect(await answer.json()).toHaveProperty('error.message', expect.stringContaining(field));
    }
    expect((await call('GET', '/userdata/missing.json')).status).toBe(404);
  });

  it('stores settings in comfy.settings.json: all, one, merged', async () => {
    expect(await getJson(`${server.url}/api/settings`)).toEqual({ status: 200, json: {} });
    expect(await getJson(`${server.url}/settings/Comfy.Locale`)).toEqual({ status: 200, json: null });
    const one = await call('POST', '/api/settings/Comfy.Locale', '"zh"');
    expect(one.status).toBe(200);
    const merged = await call('POST', '/settings', JSON.stringify({ 'Comfy.Workflow.AutoSave': 'after delay' }));
    expect(merged.status).toBe(200);
    expect(await getJson(`${server.url}/settings`)).toEqual({
      status: 200,
      json: { 'Comfy.Locale': 'zh', 'Comfy.Workflow.AutoSave': 'after delay' },
    });
    expect(await getJson(`${server.url}/api/settings/Comfy.Locale`)).toEqual({ status: 200, json: 'zh' });
    expect(JSON.parse(readFileSync(join(userFolder(), 'comfy.settings.json'), 'utf8'))).toHaveProperty(
      'Comfy.Locale',
      'zh',
    );
    for (const body of ['[1]', 'not json']) {
      const refused = await call('POST', '/settings', body);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toHaveProperty('error.message', expect.stringContaining('body'));
    }
    expect((await call('POST', '/settings/Comfy.Locale')).status).toBe(400);
    expect(await getJson(`${server.url}/settings/__proto__`)).toEqual({ status: 200, json: null });
    // A setting id is a key like any other, even "__proto__".
    expect((await call('POST', '/settings', '{"__proto__":{"polluted":true}}')).status).toBe(200);
    expect(await getJson(`${server.url}/settings/__proto__`)).toEqual({ status: 200, json: { polluted: true } });
    expect(await getJson(`${server.url}/settings/polluted`)).toEqual({ status: 200, json: null });
  });
});
