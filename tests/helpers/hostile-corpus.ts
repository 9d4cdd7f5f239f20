import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { ApiPrompt } from '../../shared/workflow.js';
import { textToImage } from './diffusion.js';
import { claimedSizePng, interlacedBombPng, textBombPng } from './hostile-images.js';
import { rawRequest, websocketUpgradeHeaders } from './raw-http.js';
import { testPng } from './server.js';

/**
 * The red team's hostile requests, as a corpus: each is sent to a live server on loopback and must get a JSON
 * answer with one of the expected statuses (never a crash, a hang or a 500), and the server must go on answering.
 * Shared by tests/integration/red-team.test.ts and the hostile soak (npm run soak:hostile).
 */

export interface HostileAnswer {
  readonly status: number;
  readonly body: string;
}

export interface HostileCase {
  readonly name: string;
  /** Statuses that count as handled; the body must be JSON unless `bodyless`. */
  readonly expect: readonly number[];
  readonly bodyless?: boolean;
  send(url: string): Promise<HostileAnswer>;
}

export interface HostileTarget {
  readonly inputDir: string;
  /** The embedded model's name when the server has it (the memory cases), else undefined. */
  readonly model?: string;
}

const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'isPrototypeOf',
] as const;

function post(
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = { 'Content-Type': 'application/json' },
): (url: string) => Promise<HostileAnswer> {
  return async (url) => rawRequest(`${url}${path}`, { method: 'POST', headers, body });
}

function get(path: string, headers: Record<string, string> = {}): (url: string) => Promise<HostileAnswer> {
  return async (url) => rawRequest(`${url}${path}`, { headers });
}

function multipart(
  fields: Record<string, string>,
  file: { name: string; bytes: Buffer },
): { body: Buffer; headers: Record<string, string> } {
  const boundary = `----inkgraph${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${file.name}"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } };
}

function upload(
  name: string,
  bytes: Buffer,
  fields: Record<string, string> = {},
): (url: string) => Promise<HostileAnswer> {
  const form = multipart(fields, { name, bytes });
  return post('/upload/image', form.body, form.headers);
}

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** LoadImage, then `length - 1` ImageInvert nodes, then PreviewImage; `image` names the file at the far end. */
function chain(length: number, image = 'test.png'): ApiPrompt {
  const prompt: ApiPrompt = { n0: { class_type: 'LoadImage', inputs: { image } } };
  for (let index = 1; index < length; index++)
    prompt[`n${index}`] = { class_type: 'ImageInvert', inputs: { image: [`n${index - 1}`, 0] } };
  prompt.out = { class_type: 'PreviewImage', inputs: { images: [`n${length - 1}`, 0] } };
  return prompt;
}

function promptBody(prompt: ApiPrompt, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ prompt, ...extra });
}

/** Sends one text frame and answers with the close code the server gave (1009: too big) or 101 when it stayed open. */
function websocketFrame(frame: string | Buffer): (url: string) => Promise<HostileAnswer> {
  return (url) =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(`${url.replace('http', 'ws')}/ws?clientId=hostile`);
      socket.once('error', reject);
      socket.once('open', () => {
        socket.send(frame, (error) => {
          if (error) return;
          // A ping answered after the frame means the server read it and kept the socket.
          socket.ping();
        });
      });
      socket.once('pong', () => {
        socket.close();
        resolve({ status: 101, body: '' });
      });
      socket.once('close', (code) => resolve({ status: code, body: '' }));
    });
}

/** Files the upload cases need in the input folder: an existing file, a folder with an image's name, a dangling link. */
export function prepareHostileInputs(inputDir: string): void {
  mkdirSync(inputDir, { recursive: true });
  writeFileSync(join(inputDir, 'test.png'), testPng(16, 12));
  writeFileSync(join(inputDir, 'plain-file'), 'not a folder');
  mkdirSync(join(inputDir, 'folder.png'), { recursive: true });
  try {
    symlinkSync(join(inputDir, 'nowhere'), join(inputDir, 'dangling'));
  } catch {
    // Already there from an earlier round.
  }
}

export function hostileCorpus(target: HostileTarget): HostileCase[] {
  const png = testPng(4, 4);
  const cases: HostileCase[] = [
    // 1. Uploads that killed the process.
    {
      name: 'upload: 300-character subfolder',
      expect: [400],
      send: upload('a.png', png, { subfolder: 's'.repeat(300) }),
    },
    { name: 'upload: 244-character name', expect: [200], send: upload(`${'n'.repeat(240)}.png`, png) },
    { name: 'upload: 300-character name', expect: [400], send: upload(`${'n'.repeat(296)}.png`, png) },
    {
      name: 'upload: subfolder is a file',
      expect: [400, 409],
      send: upload('a.png', png, { subfolder: 'plain-file' }),
    },
    { name: 'upload: name is a folder', expect: [400, 409], send: upload('folder.png', png) },
    {
      name: 'upload: dangling-symlink subfolder',
      expect: [400, 403, 409],
      send: upload('a.png', png, { subfolder: 'dangling' }),
    },
    {
      name: 'upload: traversal in subfolder',
      expect: [400, 403],
      send: upload('a.png', png, { subfolder: '../../etc' }),
    },
    // Multer keeps only the base name, as ComfyUI does: stored as evil.png in the input folder, or refused.
    { name: 'upload: traversal in name', expect: [200, 400], send: upload('../evil.png', png) },
    { name: 'upload: not an image', expect: [400], send: upload('fake.png', Buffer.from('GIF89a not really')) },
    {
      name: 'upload: no file',
      expect: [400],
      send: post(
        '/upload/image',
        multipart({ type: 'input' }, { name: '', bytes: Buffer.alloc(0) }).body,
        multipart({}, { name: '', bytes: Buffer.alloc(0) }).headers,
      ),
    },
    { name: 'upload: unknown folder type', expect: [400], send: upload('a.png', png, { type: 'models' }) },
    // 5. Decompression bombs.
    {
      name: 'upload: 69-byte PNG claiming 16000×16000',
      expect: [413],
      send: upload('claims.png', claimedSizePng(16000, 16000)),
    },
    { name: 'upload: zTXt chunk inflating to 64 MiB', expect: [413], send: upload('text-bomb.png', textBombPng(64)) },
    {
      name: 'upload: interlaced IDAT bomb',
      expect: [400, 413],
      send: upload('idat-bomb.png', interlacedBombPng(64, 64, 64)),
    },
    // 2. DNS rebinding and origins.
    ...['evil.example', '0.0.0.0', 'localhost.'].flatMap((host): HostileCase[] => [
      {
        name: `Host ${host}: GET /queue`,
        expect: [403],
        send: (url) =>
          rawRequest(`${url}/queue`, {
            headers: { Host: `${host}:${new URL(url).port}`, Origin: `http://${host}:${new URL(url).port}` },
          }),
      },
      {
        name: `Host ${host}: POST /prompt`,
        expect: [403],
        send: (url) =>
          rawRequest(`${url}/prompt`, {
            method: 'POST',
            headers: { Host: `${host}:${new URL(url).port}`, 'Content-Type': 'application/json' },
            body: promptBody(chain(2)),
          }),
      },
      {
        name: `Host ${host}: WebSocket`,
        expect: [403],
        bodyless: true,
        send: (url) =>
          rawRequest(`${url}/ws`, { headers: { Host: `${host}:${new URL(url).port}`, ...websocketUpgradeHeaders() } }),
      },
    ]),
    {
      name: 'cross-site Origin: POST /prompt',
      expect: [403],
      send: post('/prompt', promptBody(chain(2)), {
        'Content-Type': 'application/json',
        Origin: 'https://evil.example',
      }),
    },
    { name: 'Origin null', expect: [403], send: get('/queue', { Origin: 'null' }) },
    // 7. Names of Object.prototype members, deep chains, deep JSON.
    ...PROTOTYPE_NAMES.flatMap((name): HostileCase[] => [
      {
        name: `node id ${name}`,
        expect: [200, 400],
        send: post(
          '/prompt',
          JSON.stringify({
            prompt: {
              [name]: { class_type: 'LoadImage', inputs: { image: 'test.png' } },
              out: { class_type: 'PreviewImage', inputs: { images: [name, 0] } },
            },
          }),
        ),
      },
      {
        name: `link to missing ${name}`,
        expect: [400],
        send: post(
          '/prompt',
          JSON.stringify({ prompt: { out: { class_type: 'PreviewImage', inputs: { images: [name, 0] } } } }),
        ),
      },
      {
        name: `class_type ${name}`,
        expect: [400],
        send: post('/prompt', JSON.stringify({ prompt: { '1': { class_type: name, inputs: {} } } })),
      },
      {
        name: `input named ${name}`,
        expect: [200, 400],
        send: post(
          '/prompt',
          JSON.stringify({
            prompt: {
              '1': { class_type: 'LoadImage', inputs: { image: 'test.png', [name]: 1 } },
              '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
            },
          }),
        ),
      },
    ]),
    { name: 'prompt: chain of 5,000 nodes', expect: [200], send: post('/prompt', promptBody(chain(5_000))) },
    // Validated from the output back to a missing file 100,000 links away: refused, after walking the whole chain.
    {
      name: 'prompt: chain of 100,000 nodes',
      expect: [400],
      send: post('/prompt', promptBody(chain(100_000, 'missing.png'))),
    },
    {
      name: 'prompt: extra_data nested 100,000 deep',
      expect: [400],
      send: post('/prompt', `{"prompt":${JSON.stringify(chain(2))},"extra_data":${nested(100_000)}}`),
    },
    {
      name: 'prompt: _meta nested 10,000 deep',
      expect: [400],
      send: post(
        '/prompt',
        `{"prompt":{"1":{"class_type":"LoadImage","inputs":{"image":"test.png"},"_meta":${nested(10_000)}}}}`,
      ),
    },
    {
      name: 'workflow PUT nested 10,000 deep',
      expect: [400],
      send: async (url) =>
        rawRequest(`${url}/workflows/deep`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: nested(10_000),
        }),
    },
    {
      name: 'workflow name of 250 characters',
      expect: [200, 201],
      send: async (url) =>
        rawRequest(`${url}/workflows/${'w'.repeat(250)}`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: promptBody(chain(2)),
        }),
    },
    {
      name: 'workflow name of 251 characters',
      expect: [400],
      send: async (url) =>
        rawRequest(`${url}/workflows/${'w'.repeat(251)}`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: promptBody(chain(2)),
        }),
    },
    {
      name: 'workflow name with traversal',
      expect: [400, 404],
      send: async (url) =>
        rawRequest(`${url}/workflows/..%2F..%2Fpasswd`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: promptBody(chain(2)),
        }),
    },
    {
      name: 'prompt: cycle',
      expect: [400],
      send: post(
        '/prompt',
        JSON.stringify({
          prompt: {
            a: { class_type: 'ImageInvert', inputs: { image: ['b', 0] } },
            b: { class_type: 'ImageInvert', inputs: { image: ['a', 0] } },
            out: { class_type: 'PreviewImage', inputs: { images: ['a', 0] } },
          },
        }),
      ),
    },
    {
      name: 'prompt: link with a huge slot',
      expect: [400],
      send: post(
        '/prompt',
        JSON.stringify({
          prompt: {
            '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
            out: { class_type: 'PreviewImage', inputs: { images: ['1', 1e300] } },
          },
        }),
      ),
    },
    { name: 'prompt: not JSON', expect: [400], send: post('/prompt', '{"prompt":') },
    { name: 'prompt: wrong shape', expect: [400], send: post('/prompt', JSON.stringify({ prompt: [1, 2, 3] })) },
    { name: 'prompt: body over the limit', expect: [413], send: post('/prompt', Buffer.alloc(33 * 1024 * 1024, 0x20)) },
    {
      name: 'prompt: prompt_id of 10,000 characters',
      expect: [400],
      send: post('/prompt', promptBody(chain(2), { prompt_id: 'x'.repeat(10_000) })),
    },
    // 3. Memory: sizes that are valid but far beyond the budget.
    {
      name: 'ImageScale to 16384×16384',
      expect: [400],
      send: post(
        '/prompt',
        promptBody({
          '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
          '2': {
            class_type: 'ImageScale',
            inputs: { image: ['1', 0], upscale_method: 'bilinear', width: 16384, height: 16384, crop: 'disabled' },
          },
          '3': { class_type: 'PreviewImage', inputs: { images: ['2', 0] } },
        }),
      ),
    },
    // /view traversal and junk.
    ...['../../../etc/passwd', '/etc/passwd', '..%2F..%2Fetc%2Fpasswd', 'a\\..\\..\\b', 'test.png%00.txt'].map(
      (filename): HostileCase => ({
        name: `view ${filename}`,
        expect: [400, 403, 404],
        send: get(`/view?filename=${encodeURIComponent(filename)}&type=input`),
      }),
    ),
    { name: 'view: unknown type', expect: [400], send: get('/view?filename=test.png&type=../../') },
    {
      name: 'view: subfolder traversal',
      expect: [400, 403],
      send: get('/view?filename=passwd&subfolder=../../../etc&type=input'),
    },
    { name: 'view: bad channel', expect: [400], send: get('/view?filename=test.png&type=input&channel=zz') },
    {
      name: 'view: claimed-size PNG as a preview',
      expect: [400, 404, 413],
      send: get('/view?filename=claims.png&type=input&preview=jpeg'),
    },
    // History and queue junk.
    { name: 'history: negative max_items', expect: [200], send: get('/history?max_items=-5&offset=-9') },
    { name: 'history: huge offset', expect: [200], send: get('/history?offset=99999999999999999999') },
    { name: 'queue: delete junk', expect: [400], send: post('/queue', JSON.stringify({ delete: [{ a: 1 }] })) },
    { name: 'interrupt: junk body', expect: [200, 400], send: post('/interrupt', '{"prompt_id": {"$ne": 1}}') },
    { name: 'free: junk body', expect: [400], send: post('/free', JSON.stringify({ unload_models: 'yes' })) },
    // 8. Secrets.
    { name: 'system_stats', expect: [200], send: get('/system_stats') },
    // WebSocket frames.
    // 1009 (message too big), or 1006 when the server's close reaches the client while it is still sending.
    {
      name: 'WebSocket: frame over 1 MiB',
      expect: [1009, 1006],
      bodyless: true,
      send: websocketFrame(Buffer.alloc(2 * 1024 * 1024, 0x61).toString()),
    },
    {
      name: 'WebSocket: garbage text',
      expect: [101, 1003, 1007, 1008],
      bodyless: true,
      send: websocketFrame('{"type": "feature_flags", "data": '),
    },
    {
      name: 'WebSocket: deep JSON',
      expect: [101, 1003, 1007, 1008],
      bodyless: true,
      send: websocketFrame(`{"type":"feature_flags","data":${nested(50_000)}}`),
    },
  ];
  if (target.model) {
    const model = target.model;
    cases.push(
      {
        name: 'text-to-image at 1024×1024',
        expect: [400],
        send: post('/prompt', promptBody(textToImage({ ckpt: model, size: 1024, steps: 20, cfg: 5 }))),
      },
      {
        name: 'text-to-image at 16384×16384',
        expect: [400],
        send: post('/prompt', promptBody(textToImage({ ckpt: model, size: 16384, steps: 1, cfg: 5 }))),
      },
      {
        name: 'LatentUpscale to 16384×16384',
        expect: [400],
        send: post(
          '/prompt',
          promptBody({
            ...textToImage({ ckpt: model, size: 64, steps: 1 }),
            '10': {
              class_type: 'LatentUpscale',
              inputs: { samples: ['3', 0], upscale_method: 'bilinear', width: 16384, height: 16384, crop: 'disabled' },
            },
            '8': { class_type: 'VAEDecode', inputs: { samples: ['10', 0], vae: ['4', 2] } },
          }),
        ),
      },
    );
  }
  return cases;
}

/** Whether an answer is what its case expects: an expected status, and a JSON error body for HTTP errors. */
export function handled(hostile: HostileCase, answer: HostileAnswer): string | undefined {
  if (!hostile.expect.includes(answer.status))
    return `${hostile.name}: status ${answer.status}, expected ${hostile.expect.join(' or ')}: ${answer.body.slice(0, 300)}`;
  if (hostile.bodyless || answer.status < 400) return undefined;
  try {
    const body = JSON.parse(answer.body) as { error?: { type?: unknown; message?: unknown } };
    if (typeof body.error?.type !== 'string' || typeof body.error.message !== 'string')
      return `${hostile.name}: error without a type and message: ${answer.body.slice(0, 300)}`;
    if (body.error.type === 'internal_error') return `${hostile.name}: internal error: ${answer.body.slice(0, 300)}`;
  } catch {
    return `${hostile.name}: answer is not JSON: ${answer.body.slice(0, 300)}`;
  }
  return undefined;
}
