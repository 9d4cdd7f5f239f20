import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import { objectInfoSchema } from '../../shared/node-spec.js';
import { errorBodySchema } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { getJson, postJson, startTestServer, testPng, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  mkdirSync(join(server.dirs.outputDir, 'sub'), { recursive: true });
  writeFileSync(join(server.dirs.outputDir, 'sub', 'pic.png'), testPng(4, 4));
  writeFileSync(join(server.dirs.root, 'secret.txt'), 'secret');
  symlinkSync(server.dirs.root, join(server.dirs.outputDir, 'escape'));
  symlinkSync(server.dirs.root, join(server.dirs.inputDir, 'escape'));
});
afterAll(async () => server.stop());

function expectJsonError(response: { status: number; json: unknown }, status: number): void {
  expect(response.status).toBe(status);
  expect(
    errorBodySchema.safeParse(response.json).success ||
      (typeof response.json === 'object' && response.json !== null && 'error' in response.json),
  ).toBe(true);
}

const good: ApiPrompt = {
  '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
  '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
  '3': { class_type: 'PreviewImage', inputs: { images: ['2', 0] } },
};

describe('discovery routes, plain and under /api', () => {
  it('serves /object_info derived from the node definitions', async () => {
    for (const prefix of ['', '/api']) {
      const { status, json } = await getJson(`${server.url}${prefix}/object_info`);
      expect(status).toBe(200);
      const info = objectInfoSchema.parse(json);
      expect(info.SaveImage).toMatchObject({
        output_node: true,
        category: 'image',
        input: {
          required: { images: ['IMAGE', {}], filename_prefix: ['STRING', { default: 'ComfyUI' }] },
          hidden: { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' },
        },
        input_order: { required: ['images', 'filename_prefix'] },
      });
      expect(info.LoadImage!.input.required.image![0]).toContain('test.png');
      expect(info.LoadImage!.output).toEqual(['IMAGE', 'MASK']);
      expect(info.ImageScale!.input.required.width).toEqual(['INT', { default: 512, min: 0, max: 16384, step: 1 }]);
      expect(info.ImageScale!.translations?.['zh-CN']?.display_name).toBe('缩放图像');
    }
    expect((await getJson(`${server.url}/object_info/ImageInvert`)).json).toHaveProperty('ImageInvert');
    expect((await getJson(`${server.url}/object_info/Nope`)).json).toEqual({});
  });

  it('answers the probes real clients make', async () => {
    const stats = (await getJson(`${server.url}/system_stats`)).json as { system: { os: string }; devices: unknown[] };
    expect(stats.system.os).toBe('posix');
    expect(stats.devices).toHaveLength(1);
    expect((await getJson(`${server.url}/features`)).json).toMatchObject({ supports_preview_metadata: true });
    expect((await getJson(`${server.url}/embeddings`)).json).toEqual([]);
    expect((await getJson(`${server.url}/extensions`)).json).toEqual([]);
    expect((await getJson(`${server.url}/prompt`)).json).toEqual({ exec_info: { queue_remaining: 0 } });
    expectJsonError(await getJson(`${server.url}/manager/version`), 404);
    const subscribe = await fetch(`${server.url}/internal/logs/subscribe`, { method: 'PATCH', body: '{}' });
    expect(subscribe.status).toBe(200);
    expectJsonError(await getJson(`${server.url}/no/such/route`), 404);
    const page = await fetch(`${server.url}/`);
    expect(await page.text()).toContain('Inkgraph');
  });
});

describe('GET /api/vocabularies', () => {
  it('collects the vocabulary.json of every diffusion model that has a valid one', async () => {
    const diffusion = join(server.dirs.modelsDir, 'diffusion');
    const word = { en: 'apple', zh: '苹果' };
    mkdirSync(join(diffusion, 'with-words'), { recursive: true });
    writeFileSync(
      join(diffusion, 'with-words', 'vocabulary.json'),
      JSON.stringify({
        objects: [{ ...word, emoji: '🍎' }],
        colours: [{ en: 'blue', zh: '蓝色' }],
        sizes: [],
        positions: [],
      }),
    );
    mkdirSync(join(diffusion, 'broken-words'), { recursive: true });
    writeFileSync(join(diffusion, 'broken-words', 'vocabulary.json'), JSON.stringify({ objects: 'apple' }));
    mkdirSync(join(diffusion, 'no-words'), { recursive: true });
    const response = await getJson(`${server.url}/api/vocabularies`);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      'with-words': {
        objects: [{ ...word, emoji: '🍎' }],
        colours: [{ en: 'blue', zh: '蓝色' }],
        sizes: [],
        positions: [],
      },
    });
  });
});

describe('POST /prompt refuses bad input with 4xx JSON, and the server keeps serving', () => {
  const cases: [string, unknown, string][] = [
    ['no prompt', {}, 'no_prompt'],
    ['unknown class', { prompt: { ...good, '9': { class_type: 'Nope', inputs: {} } } }, 'invalid_prompt'],
    ['no outputs', { prompt: { '1': good['1'] } }, 'prompt_no_outputs'],
    [
      'missing input',
      { prompt: { ...good, '2': { class_type: 'ImageInvert', inputs: {} } } },
      'prompt_outputs_failed_validation',
    ],
    [
      'bad link',
      { prompt: { ...good, '2': { class_type: 'ImageInvert', inputs: { image: ['1'] } } } },
      'prompt_outputs_failed_validation',
    ],
    [
      'link to missing node',
      { prompt: { ...good, '2': { class_type: 'ImageInvert', inputs: { image: ['42', 0] } } } },
      'prompt_outputs_failed_validation',
    ],
    [
      'type mismatch',
      { prompt: { ...good, '2': { class_type: 'ImageInvert', inputs: { image: ['1', 1] } } } },
      'prompt_outputs_failed_validation',
    ],
    [
      'value not in list',
      { prompt: { ...good, '1': { class_type: 'LoadImage', inputs: { image: 'nope.png' } } } },
      'prompt_outputs_failed_validation',
    ],
    [
      'cycle',
      {
        prompt: {
          '1': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } },
          '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
          '3': { class_type: 'PreviewImage', inputs: { images: ['2', 0] } },
        },
      },
      'prompt_outputs_failed_validation',
    ],
    [
      'out of range',
      {
        prompt: {
          ...good,
          '2': {
            class_type: 'ImageScale',
            inputs: { image: ['1', 0], upscale_method: 'area', width: -5, height: 1, crop: 'disabled' },
          },
        },
      },
      'prompt_outputs_failed_validation',
    ],
    ['prompt not an object', { prompt: 'hello' }, 'invalid_prompt'],
  ];
  it.each(cases)('%s', async (_name, body, type) => {
    const response = await postJson(`${server.url}/prompt`, body);
    expect(response.status).toBe(400);
    expect((response.json as { error: { type: string } }).error.type).toBe(type);
    expect(response.json).toHaveProperty('node_errors');
    expect((await getJson(`${server.url}/prompt`)).status).toBe(200);
  });

  it('names the node and field in node_errors', async () => {
    const response = await postJson(`${server.url}/prompt`, {
      prompt: { ...good, '2': { class_type: 'ImageInvert', inputs: { image: ['1', 1] } } },
    });
    const nodeErrors = (
      response.json as {
        node_errors: Record<
          string,
          { errors: { type: string; extra_info: { input_name: string } }[]; dependent_outputs: string[] }
        >;
      }
    ).node_errors;
    expect(nodeErrors['2']!.errors[0]).toMatchObject({
      type: 'return_type_mismatch',
      extra_info: { input_name: 'image' },
    });
    expect(nodeErrors['2']!.dependent_outputs).toEqual(['3']);
  });

  it('refuses malformed JSON and oversized bodies with JSON reasons', async () => {
    expectJsonError(await postJson(`${server.url}/prompt`, '{"prompt": '), 400);
    const huge = 'x'.repeat(server.context.options.maxJsonBytes + 10);
    const response = await fetch(`${server.url}/prompt`, { method: 'POST', body: huge });
    expect(response.status).toBe(413);
    expect(await response.json()).toHaveProperty('error.type', 'payload_too_large');
  });

  it('reads bodies sent in chunks, refusing one past the limit once it is all sent; inflates gzip bodies', async () => {
    const chunked = (parts: string[]): Promise<Response> => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      });
      return fetch(`${server.url}/prompt`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    };
    const json = JSON.stringify({ prompt: good });
    const accepted = await chunked([json.slice(0, 10), json.slice(10)]);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toHaveProperty('prompt_id');
    const third = Math.ceil(server.context.options.maxJsonBytes / 3);
    const tooLarge = await chunked(['x'.repeat(third), 'x'.repeat(third), 'x'.repeat(third), 'x'.repeat(third)]);
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toHaveProperty('error.type', 'payload_too_large');
    const gzipped = await fetch(`${server.url}/prompt`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: gzipSync(json),
    });
    expect(gzipped.status).toBe(200);
    expect(await gzipped.json()).toHaveProperty('prompt_id');
  });

  it('accepts JSON without a Content-Type (the saintno SDK sends none)', async () => {
    const response = await fetch(`${server.url}/prompt`, {
      method: 'POST',
      body: new Blob([JSON.stringify({ prompt: good })]),
    });
    expect(response.status).toBe(200);
  });
});

describe('/view', () => {
  it('serves files, annotated names, and rgb/alpha/jpeg variants', async () => {
    const plain = await fetch(`${server.url}/view?filename=pic.png&subfolder=sub&type=output`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('image/png');
    expect(plain.headers.get('content-disposition')).toBe('filename="pic.png"');
    const annotated = await fetch(`${server.url}/api/view?filename=${encodeURIComponent('test.png [input]')}`);
    expect(annotated.status).toBe(200);
    const alpha = decodeImage(
      new Uint8Array(await (await fetch(`${server.url}/view?filename=pic.png&subfolder=sub&channel=a`)).arrayBuffer()),
    );
    expect(alpha.ok && alpha.value.raster.data[0]).toBe(255);
    const jpeg = await fetch(`${server.url}/view?filename=pic.png&subfolder=sub&preview=jpeg;80`);
    expect(jpeg.headers.get('content-type')).toBe('image/jpeg');
  });

  it.each([
    ['filename=../secret.txt', 400],
    ['filename=/etc/passwd', 400],
    ['filename=%2e%2e%2fsecret.txt', 400],
    ['filename=%252e%252e%252fsecret.txt', 403],
    ['filename=secret.txt&subfolder=..', 403],
    ['filename=secret.txt&subfolder=escape', 403],
    ['filename=a%00.png', 403],
    ['filename=pic.png&type=secret', 400],
    ['filename=', 400],
    ['filename=missing.png', 404],
  ])('refuses %s', async (query, status) => {
    const response = await fetch(`${server.url}/view?${query}`);
    expect(response.status).toBe(status);
    expect(await response.json()).toHaveProperty('error.message');
  });
});

async function upload(
  name: string,
  bytes: Uint8Array,
  fields: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(bytes)]), name);
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  const response = await fetch(`${server.url}/upload/image`, { method: 'POST', body: form });
  return { status: response.status, json: await response.json() };
}

describe('POST /upload/image', () => {
  it('stores an image, renames on a clash, reuses identical content, overwrites on request', async () => {
    const first = testPng(3, 3);
    expect(await upload('up.png', first)).toEqual({
      status: 200,
      json: { name: 'up.png', subfolder: '', type: 'input' },
    });
    expect((await upload('up.png', first)).json).toMatchObject({ name: 'up.png' });
    expect((await upload('up.png', testPng(5, 5))).json).toMatchObject({ name: 'up (1).png' });
    expect((await upload('up.png', testPng(6, 6), { overwrite: 'true' })).json).toMatchObject({ name: 'up.png' });
    expect((await upload('nested.png', first, { subfolder: 'a/b' })).json).toEqual({
      name: 'nested.png',
      subfolder: 'a/b',
      type: 'input',
    });
    expect(existsSync(join(server.dirs.inputDir, 'a', 'b', 'nested.png'))).toBe(true);
    expect(readdirSync(server.dirs.inputDir).filter((name) => name.endsWith('.inkgraph-tmp'))).toEqual([]);
  });

  it('refuses traversal, non-images and bad types', async () => {
    expectJsonError(await upload('x.png', testPng(2, 2), { subfolder: '../..' }), 400);
    expectJsonError(await upload('x.png', testPng(2, 2), { subfolder: 'escape' }), 400);
    expectJsonError(await upload('evil.png', new TextEncoder().encode('<script>'), {}), 400);
    expectJsonError(await upload('x.png', testPng(2, 2), { type: 'models' }), 400);
    const response = await fetch(`${server.url}/upload/image`, { method: 'POST', body: new FormData() });
    expect(response.status).toBe(400);
  });
});

describe('the workflow library', () => {
  const doc = { format: 'inkgraph-workflow', version: 1, prompt: good, groups: [] };

  it('saves, lists, reads, replaces and deletes workflows', async () => {
    const put = await fetch(`${server.url}/api/workflows/${encodeURIComponent('我的 workflow')}`, {
      method: 'PUT',
      body: JSON.stringify(doc),
    });
    expect(put.status).toBe(201);
    const list = (await getJson(`${server.url}/api/workflows`)).json as { name: string }[];
    expect(list.map((entry) => entry.name)).toEqual(['我的 workflow']);
    const read = await getJson(`${server.url}/api/workflows/${encodeURIComponent('我的 workflow')}`);
    expect(read.json).toEqual(doc);
    const replace = await fetch(`${server.url}/api/workflows/${encodeURIComponent('我的 workflow')}`, {
      method: 'PUT',
      body: JSON.stringify({ prompt: good }),
    });
    expect(replace.status).toBe(200);
    expect(readdirSync(server.dirs.workflowsDir)).toEqual(['我的 workflow.json']);
    const removed = await fetch(`${server.url}/api/workflows/${encodeURIComponent('我的 workflow')}`, {
      method: 'DELETE',
    });
    expect(removed.status).toBe(204);
    expectJsonError(await getJson(`${server.url}/api/workflows/${encodeURIComponent('我的 workflow')}`), 404);
  });

  it('refuses names that leave the folder, and documents that are not workflows', async () => {
    for (const name of ['..', '%2e%2e', '.hidden', 'a%2fb', 'a%00b']) {
      const response = await fetch(`${server.url}/api/workflows/${name}`, { method: 'PUT', body: JSON.stringify(doc) });
      expect(response.status, name).toBeGreaterThanOrEqual(400);
      expect(response.status, name).toBeLessThan(500);
    }
    const bad = await fetch(`${server.url}/api/workflows/bad`, {
      method: 'PUT',
      body: JSON.stringify({ nodes: [], links: [] }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toHaveProperty('error.type', 'invalid_workflow');
    expect(readdirSync(server.dirs.workflowsDir)).toEqual([]);
  });
});

describe('origin check', () => {
  it('refuses another origin on a loopback host, allows its own', async () => {
    const evil = await fetch(`${server.url}/prompt`, { headers: { Origin: 'http://evil.example' } });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toHaveProperty('error.type', 'forbidden_origin');
    const own = await fetch(`${server.url}/prompt`, { headers: { Origin: server.url } });
    expect(own.status).toBe(200);
  });
});
