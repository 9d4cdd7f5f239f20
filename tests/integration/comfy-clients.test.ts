import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallWrapper, ComfyApi, PromptBuilder } from '@saintno/comfyui-sdk';
import { Client } from '@stable-canvas/comfyui-client';
import { BrowserLikeWebSocket } from '../helpers/browser-like-websocket.js';
import { decodeImage } from '../../media/decode-image.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { copyFixtureModels, FIXTURE_VARIANTS, textToImage } from '../helpers/diffusion.js';
import { makeTestEnv } from '../helpers/env.js';
import { TestGates } from '../helpers/gates.js';

/** The published npm ComfyUI clients, unchanged, against Inkgraph's server. */

type TitledPrompt = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta: { title: string } }>;

/** The saintno SDK types its workflows with a title on every node, as ComfyUI's "Export (API)" writes them. */
function titled(prompt: ApiPrompt): TitledPrompt {
  return Object.fromEntries(
    Object.entries(prompt).map(([id, node]) => [
      id,
      { ...node, _meta: { title: node._meta?.title ?? node.class_type } },
    ]),
  );
}

// These clients attach their listeners only after some HTTP round trips of their own: a job waits at a TestGate,
// reporting its held progress every 50 ms, until the client shows it is listening (it has seen that progress).
const gateDirs = makeTestEnv('inkgraph-gates-');
const gates = new TestGates(gateDirs.root).enableInProcess();
const HELD_PROGRESS_MS = 50;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  copyFixtureModels(server.dirs.modelsDir);
});
afterAll(async () => {
  await server.stop();
  gateDirs.cleanup();
});
// Every test waits for its own runs, so a job still running after one is what a failed test left at a gate: open
// the gates and interrupt it, so the failure stays that test's instead of timing out every test queued behind it.
afterEach(async () => {
  const queue = (await (await fetch(`${server.url}/queue`)).json()) as { queue_running: unknown[] };
  if (queue.queue_running.length === 0) return;
  gates.releaseReached();
  await fetch(`${server.url}/queue`, { method: 'POST', body: JSON.stringify({ clear: true }) });
  await fetch(`${server.url}/interrupt`, { method: 'POST' });
});

/** LoadImage → ImageScale → ImageInvert → SaveImage; with `gate`, the image waits at that gate before the resize. */
function workflow(width: number, method = 'bilinear', height = 200, gate?: string): ApiPrompt {
  return {
    '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
    ...(gate ? { g: gates.node(gate, ['1', 0], HELD_PROGRESS_MS) } : {}),
    '2': {
      class_type: 'ImageScale',
      inputs: { image: [gate ? 'g' : '1', 0], upscale_method: method, width, height, crop: 'disabled' },
    },
    '3': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } },
    '4': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'client' } },
  };
}

/** A job that runs until it is interrupted: it waits at a gate that is never released. */
function heldWorkflow(gate: string): ApiPrompt {
  return {
    '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
    '2': gates.node(gate, ['1', 0], HELD_PROGRESS_MS),
    '3': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } },
    '4': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'client' } },
  };
}

/**
 * The saintno SDK listens for its job's `executing` only once POST /prompt has answered, so a job that starts and
 * is held before then is never seen (the SDK waits for it forever). Its jobs queue behind a blocker held at gate
 * `name`; `release` (from the SDK's onPending, as the answer arrives) opens it on a later turn, after the SDK has
 * attached its listeners, and the job starts then.
 */
async function blockQueue(name: string): Promise<{ release: () => void }> {
  const response = await fetch(`${server.url}/prompt`, {
    method: 'POST',
    body: JSON.stringify({ prompt: heldWorkflow(name), client_id: `${name}-blocker` }),
  });
  expect(response.status).toBe(200);
  await gates.held(name);
  return { release: () => setTimeout(() => gates.release(name), 0) };
}

async function fetchPng(url: string): Promise<{ width: number; height: number }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const decoded = decodeImage(new Uint8Array(await response.arrayBuffer()));
  if (!decoded.ok) throw new Error(decoded.reason);
  return { width: decoded.value.raster.width, height: decoded.value.raster.height };
}

describe('@saintno/comfyui-sdk 0.3.1', () => {
  it('queues a workflow, receives progress and the output, fetches the image with /view', async () => {
    const api = new ComfyApi(server.url, 'saintno-test').init();
    await api.waitForReady();
    const builder = new PromptBuilder(titled(workflow(150, 'bilinear', 200, 'saintno-progress')), ['width'], ['output'])
      .setInputNode('width', '2.inputs.width')
      .setOutputNode('output', '4');
    const progress: number[] = [];
    const blocker = await blockQueue('saintno-progress-blocker');
    const result = await new CallWrapper(api, builder.input('width', 160))
      .onPending(blocker.release)
      .onProgress((info) => {
        progress.push(info.value);
        gates.release('saintno-progress');
      })
      .run();
    expect(result).toBeTruthy();
    if (!result) return;
    const images = (result.output as { images: { filename: string; subfolder: string; type: string }[] }).images;
    expect(images[0]!.filename).toMatch(/^client_\d{5}_\.png$/);
    expect(progress.length).toBeGreaterThan(0);
    expect(await fetchPng(api.getPathImage(images[0] as never))).toEqual({ width: 160, height: 200 });
    api.destroy();
  });

  it('receives event-1 frames as previews, and interrupts a run', async () => {
    const api = new ComfyApi(server.url, 'saintno-interrupt').init();
    await api.waitForReady();
    // The SDK listens for previews only after it has seen the job start and read its history: the image waits at
    // a gate until the SDK has seen progress.
    const streamed: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
      '2': gates.node('saintno-stream', ['1', 0], HELD_PROGRESS_MS),
      '3': {
        class_type: 'ImageScale',
        inputs: { image: ['2', 0], upscale_method: 'area', width: 32, height: 32, crop: 'disabled' },
      },
      '4': { class_type: 'SaveImageWebsocket', inputs: { images: ['3', 0] } },
      '5': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'streamed' } },
    };
    const previews: Blob[] = [];
    const streamBlocker = await blockQueue('saintno-stream-blocker');
    const streamedResult = await new CallWrapper(
      api,
      new PromptBuilder(titled(streamed), [], ['saved']).setOutputNode('saved', '5'),
    )
      .onPending(streamBlocker.release)
      .onPreview((blob) => previews.push(blob))
      .onProgress(() => gates.release('saintno-stream'))
      .run();
    expect(streamedResult).toBeTruthy();
    expect(previews).toHaveLength(1);
    expect(decodeImage(new Uint8Array(await previews[0]!.arrayBuffer())).ok).toBe(true);

    const slow = new PromptBuilder(titled(heldWorkflow('saintno-interrupt')), [], ['output']).setOutputNode(
      'output',
      '4',
    );
    let failure: Error | undefined;
    let interrupted = false;
    const slowBlocker = await blockQueue('saintno-interrupt-blocker');
    const outcome = await new CallWrapper(api, slow)
      .onPending(slowBlocker.release)
      .onProgress(() => {
        if (!interrupted) {
          interrupted = true;
          void api.interrupt();
        }
      })
      .onFailed((error) => {
        failure = error;
      })
      .run();
    expect(interrupted).toBe(true);
    expect(outcome).toBe(false);
    expect(failure).toBeDefined();
    api.destroy();
  });
});

describe('@stable-canvas/comfyui-client 1.5.9', () => {
  function client(id: string): Client {
    const url = new URL(server.url);
    return new Client({ api_host: url.host, clientId: id, WebSocket: BrowserLikeWebSocket, fetch });
  }

  it('enqueues over WebSocket with progress, and by polling; images fetch with /view', async () => {
    const comfy = client('canvas-test');
    await comfy.connect();
    const progress: number[] = [];
    // Held at a gate until progress reaches the client, which listens once it has its prompt id back.
    const result = await comfy.enqueue(workflow(110, 'bicubic', 110, 'canvas-progress'), {
      workflow: { from: 'stable-canvas' },
      progress: (p) => {
        progress.push(p.value);
        gates.release('canvas-progress');
      },
    });
    expect(progress.length).toBeGreaterThan(0);
    const image = result.images[0];
    expect(image?.type).toBe('url');
    expect(await fetchPng(image!.data as string)).toEqual({ width: 110, height: 110 });

    const polled = await comfy.enqueue_polling(workflow(130), { polling_ms: 50 });
    const polledImage = polled.images[0];
    expect(polledImage?.type).toBe('url');
    expect(await fetchPng(polledImage!.data as string)).toEqual({ width: 130, height: 200 });
    comfy.close();
  });

  it('interrupts a run', async () => {
    // The client's enqueue() never settles on execution_interrupted (a limitation of the client), so this
    // uses its queue/polling calls around interrupt(), as its own runPrompt does.
    const comfy = client('canvas-interrupt');
    await comfy.connect();
    const { prompt_id: promptId } = await comfy._enqueue_prompt(heldWorkflow('canvas-interrupt'));
    await new Promise<void>((resolve) => {
      const off = comfy.on('progress', (progress) => {
        if (progress.prompt_id === promptId) {
          off();
          resolve();
        }
      });
    });
    await comfy.interrupt();
    await comfy.waitForPrompt(promptId, 50);
    await expect(comfy.getPromptOutputs(promptId)).rejects.toThrow();
    const history = (await (await fetch(`${server.url}/history/${promptId}`)).json()) as Record<
      string,
      { status: { messages: [string][] } }
    >;
    expect(history[promptId]!.status.messages.map(([event]) => event)).toContain('execution_interrupted');
    comfy.close();
  });
});

describe('text-to-image through both clients, on every fixture variant', () => {
  it.each(FIXTURE_VARIANTS)(
    '%s: saintno receives a preview per step and the image (sampling from an encoded image)',
    async (variant) => {
      const api = new ComfyApi(server.url, `saintno-${variant}`).init();
      await api.waitForReady();
      const steps = 6;
      // The SDK listens for progress and previews only once it has seen the job start and then read the job's
      // history: a tiny model's whole run fits in that round trip. So the sampler starts from an encoded image
      // that waits at a gate until the SDK has seen progress.
      const gate = `saintno-${variant}`;
      const prompt: ApiPrompt = {
        ...textToImage({ ckpt: variant, steps, seed: 500, prefix: `saintno-${variant}` }),
        '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
        '2': gates.node(gate, ['1', 0], HELD_PROGRESS_MS),
        '10': {
          class_type: 'ImageScale',
          inputs: { image: ['2', 0], upscale_method: 'area', width: 64, height: 64, crop: 'disabled' },
        },
        '11': { class_type: 'VAEEncode', inputs: { pixels: ['10', 0], vae: ['4', 2] } },
      };
      prompt['3']!.inputs.latent_image = ['11', 0];
      const builder = new PromptBuilder(titled(prompt), ['seed'], ['images'])
        .setInputNode('seed', '3.inputs.seed')
        .setOutputNode('images', '9');
      const previews: Blob[] = [];
      const progress: number[] = [];
      const result = await new CallWrapper(api, builder.input('seed', 501))
        .onPreview((blob) => previews.push(blob))
        .onProgress((info) => {
          gates.release(gate);
          if (info.node === '3') progress.push(info.value);
        })
        .run();
      expect(result).toBeTruthy();
      if (!result) return;
      expect(progress.slice(-steps)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(previews.length).toBeGreaterThanOrEqual(steps - 2);
      const images = (result.images as { images: { filename: string; subfolder: string; type: string }[] }).images;
      expect(await fetchPng(api.getPathImage(images[0] as never))).toEqual({ width: 64, height: 64 });
      api.destroy();
    },
  );

  it.each(FIXTURE_VARIANTS)('%s: stable-canvas receives progress per step and the image', async (variant) => {
    const url = new URL(server.url);
    const comfy = new Client({
      api_host: url.host,
      clientId: `canvas-${variant}`,
      WebSocket: BrowserLikeWebSocket,
      fetch,
    });
    await comfy.connect();
    const progress: number[] = [];
    // The client listens only once its POST has returned, and a tiny model's whole run can finish first (a race
    // of the client's, not of the server): the latent waits at a gate until the client has seen progress.
    const gate = `canvas-${variant}`;
    const prompt = textToImage({ ckpt: variant, steps: 6, seed: 600, prefix: `canvas-${variant}` });
    prompt.g = gates.node(gate, ['5', 0], HELD_PROGRESS_MS);
    prompt['3']!.inputs.latent_image = ['g', 0];
    const result = await comfy.enqueue(prompt, {
      progress: (p) => {
        gates.release(gate);
        progress.push(p.value);
      },
      disable_random_seed: true,
    });
    expect(progress.length).toBeGreaterThan(0);
    // The client keeps binary frames received during the run as images: one step preview per sampling step. (It
    // reads each frame asynchronously; BrowserLikeWebSocket gives it a browser's one task per message.)
    const previews = result.images.filter((image) => image.type === 'buff');
    expect(previews.length).toBe(6);
    expect(previews.every((image) => image.type === 'buff' && image.mime.startsWith('image/'))).toBe(true);
    const saved = result.images.find((image) => image.type === 'url');
    expect(await fetchPng(saved!.data)).toEqual({ width: 64, height: 64 });
    comfy.close();
  });
});
