import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiPrompt } from '../../shared/workflow.js';
import { getJson, postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';

/**
 * Each session's onnxruntime threads: timed per model when it loads (the shipped model is small enough), then
 * decided per input shape from the real calls' times; or fixed by --threads; either way shown in /system_stats and
 * logged.
 */

const root = resolve(import.meta.dirname, '..', '..');
const shipped = join(root, 'models', 'diffusion', 'inkgraph-emoji', 'model_index.json');

interface Threads {
  override: number | null;
  sessions: {
    path: string;
    threads: number;
    spinning: boolean;
    how: string;
    shape?: string;
    timings: { threads: number; spinning: boolean; ms: number }[];
  }[];
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function runDefault(testServer: TestServer): Promise<Threads> {
  const socket = await TestSocket.open(testServer.url, 'threads');
  const prompt: ApiPrompt = {
    ckpt: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'inkgraph-emoji' } },
    pos: { class_type: 'CLIPTextEncode', inputs: { text: 'a red star', clip: ['ckpt', 1] } },
    neg: { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['ckpt', 1] } },
    latent: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    k: {
      class_type: 'KSampler',
      inputs: {
        model: ['ckpt', 0],
        seed: 1,
        // Enough UNet calls for its route to have taken each kept session's first samples (thread-route.ts): it
        // keeps all three candidates, 3 calls each.
        steps: 10,
        cfg: 5,
        sampler_name: 'euler',
        scheduler: 'normal',
        positive: ['pos', 0],
        negative: ['neg', 0],
        latent_image: ['latent', 0],
        denoise: 1,
      },
    },
    d: { class_type: 'VAEDecode', inputs: { samples: ['k', 0], vae: ['ckpt', 2] } },
    s: { class_type: 'PreviewImage', inputs: { images: ['d', 0] } },
  };
  const response = await postJson(`${testServer.url}/prompt`, { prompt, client_id: 'threads' });
  const promptId = (response.json as { prompt_id: string }).prompt_id;
  const messages = await socket.waitForEnd(promptId);
  socket.close();
  expect(messages.find((m) => m.type === 'execution_error')).toBeUndefined();
  return ((await getJson(`${testServer.url}/system_stats`)).json as { threads: Threads }).threads;
}

describe.skipIf(!existsSync(shipped))('onnxruntime threads per session', () => {
  it('times the shipped model’s sessions when they load and shows the choice', async () => {
    const lines: string[] = [];
    server = await startTestServer({ modelsDir: join(root, 'models'), log: (line) => lines.push(line) });
    const threads = await runDefault(server);
    expect(threads.override).toBeNull();
    const loaded = threads.sessions.filter((session) => session.how === 'timed');
    const parts = loaded.map((session) => session.path.split('/').slice(-2, -1)[0]).sort();
    expect(parts).toEqual(['text_encoder', 'unet', 'vae_decoder', 'vae_encoder']);
    for (const session of loaded) {
      expect(session.timings.length).toBeGreaterThanOrEqual(1);
      expect(session.timings.every((timing) => timing.ms > 0)).toBe(true);
      expect(session.threads).toBeGreaterThanOrEqual(1);
    }
    if (availableParallelism() > 1) {
      // The UNet's 10 calls (CFG batched) decided between one thread and the pool with and without spinning on its
      // shape: the sampling loop's model keeps every candidate.
      const decided = threads.sessions.find((session) => session.how === 'runs' && session.path.includes('unet'));
      expect(decided?.shape).toMatch(/^2x4x\d+x\d+;/);
      const pool = Math.min(availableParallelism(), 8);
      expect(decided?.timings.map((timing) => `${timing.threads}${timing.spinning ? ' spinning' : ''}`).sort()).toEqual(
        ['1', `${pool}`, `${pool} spinning`],
      );
      expect(decided?.timings.every((timing) => timing.ms > 0)).toBe(true);
    }
    const logged = lines.filter((line) => line.startsWith('onnxruntime: '));
    console.log(logged.join('\n'));
    expect(logged.some((line) => line.includes('unet'))).toBe(true);
  });

  it('gives every session --threads N without timing', async () => {
    server = await startTestServer({ modelsDir: join(root, 'models'), threads: 1 });
    const threads = await runDefault(server);
    expect(threads.override).toBe(1);
    expect(threads.sessions.length).toBe(4);
    for (const session of threads.sessions) expect(session).toMatchObject({ threads: 1, how: 'override', timings: [] });
  });
});
