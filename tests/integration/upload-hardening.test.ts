import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blackPng, claimedSizePng, textBombPng } from '../helpers/hostile-images.js';
import { getJson, postJson, startTestServer, testPng, TestSocket, type TestServer } from '../helpers/server.js';

/**
 * Issue 13, items 1, 5 and 7 (workflow names): uploads that used to kill the process or freeze it, and library
 * names that gave 500. Every answer is JSON, and the server keeps answering after each.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

interface Answer {
  readonly status: number;
  readonly json: unknown;
}

async function upload(
  name: string,
  bytes: Uint8Array,
  fields: Record<string, string> = {},
  url = server.url,
): Promise<Answer> {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(bytes)]), name);
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  const response = await fetch(`${url}/upload/image`, { method: 'POST', body: form });
  return { status: response.status, json: await response.json() };
}

/** A JSON error with this status and type whose message names `field`. */
function expectRefusal(answer: Answer, status: number, type: string, field: string): void {
  expect(answer.status).toBe(status);
  expect(answer.json).toHaveProperty('error.type', type);
  expect(answer.json).toHaveProperty('error.message', expect.stringContaining(field));
}

async function expectAlive(url = server.url): Promise<void> {
  expect((await getJson(`${url}/workflows`)).status).toBe(200);
}

const image = testPng(4, 4);

describe('uploads that used to kill the process', () => {
  it('a 300-character subfolder: 400 naming the subfolder', async () => {
    expectRefusal(await upload('a.png', image, { subfolder: 's'.repeat(300) }), 400, 'name_too_long', 'subfolder');
    expectRefusal(
      await upload('a.png', image, { subfolder: `ok/${'中'.repeat(90)}` }),
      400,
      'name_too_long',
      '270 bytes',
    );
    await expectAlive();
  });

  it('a 244-character file name is stored; names are measured in UTF-8 bytes, up to 255', async () => {
    for (const name of [`${'n'.repeat(240)}.png`, `${'m'.repeat(251)}.png`, `${'中'.repeat(83)}.png`]) {
      expect(await upload(name, image)).toEqual({ status: 200, json: { name, subfolder: '', type: 'input' } });
      expect(existsSync(join(server.dirs.inputDir, name))).toBe(true);
    }
    // The same 255-byte name with other bytes gets a counter: the stem shrinks so it still fits.
    const renamed = await upload(`${'m'.repeat(251)}.png`, testPng(3, 3));
    expect(renamed).toEqual({
      status: 200,
      json: { name: `${'m'.repeat(247)} (1).png`, subfolder: '', type: 'input' },
    });
    expectRefusal(await upload(`${'x'.repeat(252)}.png`, image), 400, 'invalid_filename', '256 bytes');
    expectRefusal(await upload(`${'中'.repeat(84)}.png`, image), 400, 'invalid_filename', '256 bytes');
    expect(readdirSync(server.dirs.inputDir).filter((name) => name.startsWith('.'))).toEqual([]);
    await expectAlive();
  });

  it('a subfolder that is an existing file: 409 naming the subfolder', async () => {
    writeFileSync(join(server.dirs.inputDir, 'plain-file'), 'not a folder');
    expectRefusal(
      await upload('a.png', image, { subfolder: 'plain-file' }),
      409,
      'already_exists',
      'subfolder "plain-file"',
    );
    expectRefusal(
      await upload('a.png', image, { subfolder: 'plain-file/deeper' }),
      409,
      'not_a_folder',
      'subfolder "plain-file/deeper"',
    );
    await expectAlive();
  });

  it('a file name that is an existing folder: 409 naming the file, with or without overwrite', async () => {
    mkdirSync(join(server.dirs.inputDir, 'taken.png'));
    expectRefusal(await upload('taken.png', image), 409, 'is_a_folder', 'filename "taken.png"');
    expectRefusal(await upload('taken.png', image, { overwrite: 'true' }), 409, 'is_a_folder', 'filename "taken.png"');
    await expectAlive();
  });

  it('a dangling-symlink subfolder: 400, and nothing is created where it points', async () => {
    const nowhere = join(server.dirs.root, 'nowhere');
    symlinkSync(nowhere, join(server.dirs.inputDir, 'dangling'));
    expectRefusal(await upload('a.png', image, { subfolder: 'dangling' }), 400, 'forbidden_path', 'subfolder');
    expectRefusal(await upload('a.png', image, { subfolder: 'dangling/sub' }), 400, 'forbidden_path', 'subfolder');
    expect(existsSync(nowhere)).toBe(false);
    await expectAlive();
  });
});

describe('/view on the same paths', () => {
  it.each([
    [`filename=${'f'.repeat(300)}.png&type=input`, 404],
    [`filename=a.png&subfolder=${'s'.repeat(300)}&type=input`, 404],
    ['filename=a.png&subfolder=plain-file&type=input', 404],
    ['filename=a.png&subfolder=dangling&type=input', 403],
    ['filename=taken.png&type=input', 404],
    ['filename=taken.png&type=input&channel=a', 404],
  ])('answers %s with JSON %i, never a 500', async (query, status) => {
    const answer = await getJson(`${server.url}/view?${query}`);
    expect(answer.status).toBe(status);
    expect(answer.json).toHaveProperty('error.message');
  });

  it('refuses to convert an image beyond the pixel limit, from its header', async () => {
    writeFileSync(join(server.dirs.inputDir, 'claims-huge.png'), claimedSizePng(16000, 16000));
    const answer = await getJson(`${server.url}/view?filename=claims-huge.png&type=input&preview=jpeg`);
    expect(answer.status).toBe(413);
    expect(answer.json).toHaveProperty('error.type', 'image_too_large');
  });
});

describe('saved workflows with long names', () => {
  const doc = JSON.stringify({
    prompt: { '1': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } } },
  });
  const put = (name: string) =>
    fetch(`${server.url}/api/workflows/${encodeURIComponent(name)}`, { method: 'PUT', body: doc });

  it('keeps names of up to 250 bytes (255 with ".json") and refuses longer ones with a 400 that says so', async () => {
    for (const name of ['w'.repeat(240), 'w'.repeat(250), '中'.repeat(83)]) {
      expect((await put(name)).status).toBe(201);
      expect((await getJson(`${server.url}/api/workflows/${encodeURIComponent(name)}`)).status).toBe(200);
    }
    for (const [name, bytes] of [
      ['w'.repeat(251), 251],
      ['中'.repeat(84), 252],
    ] as const) {
      const response = await put(name);
      expect(response.status).toBe(400);
      const body: unknown = await response.json();
      expect(body).toHaveProperty('error.type', 'invalid_name');
      expect(body).toHaveProperty('error.message', expect.stringContaining(`${bytes} bytes`));
    }
    const list = (await getJson(`${server.url}/api/workflows`)).json;
    expect(Array.isArray(list) && list.length).toBe(3);
  });

  it('answers a name that is a folder on disk with JSON, not a 500', async () => {
    mkdirSync(join(server.dirs.workflowsDir, 'folder.json'));
    const read = await getJson(`${server.url}/api/workflows/folder`);
    expect(read.status).toBe(409);
    expect(read.json).toHaveProperty('error.type', 'is_a_folder');
    expect((await put('folder')).status).toBe(409);
  });
});

describe('images that lie', () => {
  /** The upload is refused, nothing is stored, the server's RSS (it runs in this process) grew less than `maxGrowthMb`. */
  async function expectRefusedCheaply(
    name: string,
    bytes: Uint8Array,
    type: string,
    field: string,
    maxGrowthMb: number,
  ): Promise<void> {
    const before = process.memoryUsage().rss;
    const answer = await upload(name, bytes);
    const grown = process.memoryUsage().rss - before;
    expectRefusal(answer, 413, type, field);
    expect(grown).toBeLessThan(maxGrowthMb * 1024 * 1024);
    expect(existsSync(join(server.dirs.inputDir, name))).toBe(false);
    await expectAlive();
  }

  it('refuses a 69-byte PNG claiming 16000×16000 from its header, without allocating for it', async () => {
    const bomb = claimedSizePng(16000, 16000);
    expect(bomb.length).toBe(69);
    await expectRefusedCheaply('huge.png', bomb, 'image_too_large', '16000×16000', 200);
  });

  it('refuses a zTXt chunk of 1 MB that inflates to 1 GiB, inflating no more than the 32 MiB cap', async () => {
    const bomb = textBombPng(1024);
    expect(bomb.length).toBeLessThan(1.1 * 1024 * 1024);
    await expectRefusedCheaply('text-bomb.png', bomb, 'image_text_too_large', 'workflow', 300);
  });

  it('keeps answering requests while a big legal image decodes', async () => {
    // 16 MP of real pixels (about 1.5 s to decode) in a 16 KB file: the whole upload reaches the server before the
    // GET below is even connected, so a server that decodes on its main thread answers the upload first.
    const big = blackPng(4096, 4096);
    expect(big.length).toBeLessThan(32 * 1024);
    const order: string[] = [];
    let sent = (): void => {};
    const bodySent = new Promise<void>((resolve) => (sent = resolve));
    const uploaded = postMultipart(`${server.url}/upload/image`, 'big.png', big, () => sent()).then((status) =>
      order.push(`upload ${status}`),
    );
    await bodySent;
    const got = getJson(`${server.url}/workflows`).then((answer) => order.push(`get ${answer.status}`));
    await Promise.all([uploaded, got]);
    expect(order).toEqual(['get 200', 'upload 200']);
  });
});

describe('LoadImage', () => {
  it('applies the pixel limit from the header, with a node error naming the file', async () => {
    writeFileSync(join(server.dirs.inputDir, 'claims-huge-too.png'), claimedSizePng(16000, 16000));
    const socket = await TestSocket.open(server.url, 'load-image-limit');
    try {
      const prompt = {
        '1': { class_type: 'LoadImage', inputs: { image: 'claims-huge-too.png' } },
        '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
      };
      const before = process.memoryUsage().rss;
      const queued = await postJson(`${server.url}/prompt`, { prompt, client_id: 'load-image-limit' });
      expect(queued.status).toBe(200);
      const promptId = (queued.json as { prompt_id: string }).prompt_id;
      const error = (await socket.waitForEnd(promptId)).find((message) => message.type === 'execution_error');
      expect(error?.type === 'execution_error' && error.data).toMatchObject({ node_id: '1', node_type: 'LoadImage' });
      const message = error?.type === 'execution_error' ? error.data.exception_message : '';
      expect(message).toContain('claims-huge-too.png');
      expect(message).toContain('16000×16000');
      expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    } finally {
      socket.close();
    }
  });
});

/** POSTs one file as multipart/form-data with node:http, calling `onSent` when the body has been handed to the socket. */
function postMultipart(url: string, name: string, bytes: Uint8Array, onSent: () => void): Promise<number> {
  const boundary = `----inkgraph${Date.now()}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${name}"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body, onSent);
  });
}

/** Mounts a 1 MiB tmpfs on `dir`: undefined when it worked, else why not. */
function mountTmpfs(dir: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `mount failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

const isRoot = process.getuid?.() === 0;

describe('a full input disk', () => {
  // Mounted inside the test and unmounted in its finally, so a filtered or failed run leaves no mount behind.
  it.skipIf(!isRoot)(
    `answers 507 insufficient_storage, leaves no temporary, and recovers${isRoot ? '' : ' (skipped: needs root to mount a tmpfs)'}`,
    async (context) => {
      const fullDisk = mkdtempSync(join(tmpdir(), 'inkgraph-full-'));
      const problem = mountTmpfs(fullDisk);
      try {
        if (problem !== undefined) context.skip(`skipped: ${problem}`);
        const small = await startTestServer({ inputDir: fullDisk });
        try {
          // Fill the disk to the last byte.
          const filler = join(fullDisk, 'filler');
          const fd = openSync(filler, 'w');
          const chunk = Buffer.alloc(64 * 1024, 1);
          try {
            for (;;) writeSync(fd, chunk);
          } catch (error) {
            expect(error).toHaveProperty('code', 'ENOSPC');
          } finally {
            closeSync(fd);
          }
          const answer = await upload('full.png', testPng(32, 32), {}, small.url);
          expectRefusal(answer, 507, 'insufficient_storage', 'full.png');
          expect(readdirSync(fullDisk).filter((name) => name.startsWith('.'))).toEqual([]);
          await expectAlive(small.url);
          rmSync(filler);
          expect((await upload('full.png', testPng(32, 32), {}, small.url)).status).toBe(200);
        } finally {
          await small.stop();
        }
      } finally {
        if (problem === undefined) execFileSync('umount', [fullDisk]);
        rmSync(fullDisk, { recursive: true, force: true });
      }
    },
  );
});
