import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiPrompt } from '../../shared/workflow.js';
import { textToImage } from '../helpers/diffusion.js';
import { postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const MODELS = resolve(import.meta.dirname, '..', '..', 'models');

interface Refusal {
  error: { type: string; message: string };
  node_errors: Record<
    string,
    {
      errors: {
        type: string;
        message: string;
        details: string;
        extra_info: { input_name: string; estimated_bytes: number };
      }[];
      class_type: string;
    }
  >;
}

const scaleTo = (size: number): ApiPrompt => ({
  '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
  '2': {
    class_type: 'ImageScale',
    inputs: { image: ['1', 0], upscale_method: 'nearest-exact', width: size, height: size, crop: 'disabled' },
  },
  '3': { class_type: 'PreviewImage', inputs: { images: ['2', 0] } },
});

describe('the memory budget (--max-memory)', () => {
  let server: TestServer;
  let socket: TestSocket;
  beforeAll(async () => {
    server = await startTestServer({
      modelsDir: MODELS,
      maxMemoryBytes: 2 * GIB,
      cacheMemoryBytes: 1 * MIB,
      interruptGraceMs: 200,
    });
    socket = await TestSocket.open(server.url, 'memory');
  });
  afterAll(async () => {
    socket.close();
    await server.stop();
  });

  it('refuses a 1024×1024 text-to-image job on the embedded model before it runs, on the sampler and its latent', async () => {
    const response = await postJson(`${server.url}/prompt`, {
      prompt: textToImage({ ckpt: 'inkgraph-emoji', size: 1024, steps: 20, cfg: 5 }),
      client_id: socket.clientId,
    });
    expect(response.status).toBe(400);
    const body = response.json as Refusal;
    expect(body.error.type).toBe('memory_budget_exceeded');
    expect(body.error.message).toMatch(
      /Estimated memory [\d.]+ GiB is over the server's budget of 2\.0 GiB \(--max-memory\)/,
    );
    const sampler = body.node_errors['3'];
    expect(sampler?.class_type).toBe('KSampler');
    expect(sampler?.errors[0]?.extra_info.input_name).toBe('latent_image');
    expect(sampler?.errors[0]?.details).toMatch(/256×256 latent cells/);
    expect(sampler?.errors[0]?.extra_info.estimated_bytes).toBeGreaterThan(2 * GIB);
    expect((await (await fetch(`${server.url}/queue`)).json()) as { queue_pending: unknown[] }).toMatchObject({
      queue_pending: [],
    });
  });

  it('runs the same workflow at 64×64', async () => {
    const response = await postJson(`${server.url}/prompt`, {
      prompt: textToImage({ ckpt: 'inkgraph-emoji', size: 64, steps: 4, cfg: 5 }),
      client_id: socket.clientId,
    });
    expect(response.status).toBe(200);
    const messages = await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
    expect(messages.map((message) => message.type)).toContain('execution_success');
  });

  it('refuses ImageScale to 16384×16384 naming its size widget', async () => {
    const response = await postJson(`${server.url}/prompt`, { prompt: scaleTo(16384) });
    expect(response.status).toBe(400);
    const body = response.json as Refusal;
    expect(body.error.type).toBe('memory_budget_exceeded');
    const [nodeId, entry] = Object.entries(body.node_errors)[0]!;
    expect(['2', '3']).toContain(nodeId);
    expect(entry.errors[0]?.details).toContain('16384');
  });

  it('does not keep a result larger than --cache-memory', async () => {
    // 512×512 RGB float32 is 3 MiB, over this server's 1 MiB cache: the second run computes it again.
    const first = await postJson(`${server.url}/prompt`, { prompt: scaleTo(512), client_id: socket.clientId });
    await socket.waitForEnd((first.json as { prompt_id: string }).prompt_id);
    const second = await postJson(`${server.url}/prompt`, { prompt: scaleTo(512), client_id: socket.clientId });
    const messages = await socket.waitForEnd((second.json as { prompt_id: string }).prompt_id);
    const cached = messages.find((message) => message.type === 'execution_cached');
    const nodes = cached?.type === 'execution_cached' ? cached.data.nodes : [];
    expect(nodes).toContain('1');
    expect(nodes).not.toContain('2');
  });

  it('interrupts a job inside one long model call: the call is abandoned with its worker, and the next job runs', async () => {
    // One VAE decode of a 256×256-cell latent is a single onnxruntime call of several seconds, with no progress point inside.
    const long: ApiPrompt = {
      '1': { class_type: 'EmptyLatentImage', inputs: { width: 2048, height: 2048, batch_size: 1 } },
      '2': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'inkgraph-emoji' } },
      '3': { class_type: 'VAEDecode', inputs: { samples: ['1', 0], vae: ['2', 2] } },
      '4': { class_type: 'PreviewImage', inputs: { images: ['3', 0] } },
    };
    const abandonedBefore = server.context.engine.abandonedWorkers;
    const queued = await postJson(`${server.url}/prompt`, { prompt: long, client_id: socket.clientId });
    expect(queued.status).toBe(200);
    const promptId = (queued.json as { prompt_id: string }).prompt_id;
    await socket.waitFor(
      (r) =>
        r.kind === 'json' &&
        r.message.type === 'executing' &&
        r.message.data.node === '3' &&
        r.message.data.prompt_id === promptId,
      60_000,
    );
    await postJson(`${server.url}/interrupt`, {});
    await socket.waitFor(
      (r) => r.kind === 'json' && r.message.type === 'execution_interrupted' && r.message.data.prompt_id === promptId,
      60_000,
    );
    expect(server.context.engine.abandonedWorkers).toBe(abandonedBefore + 1);
    const next = await postJson(`${server.url}/prompt`, { prompt: scaleTo(32), client_id: socket.clientId });
    const messages = await socket.waitForEnd((next.json as { prompt_id: string }).prompt_id);
    expect(messages.map((message) => message.type)).toContain('execution_success');
    const history = (await (await fetch(`${server.url}/history/${promptId}`)).json()) as Record<
      string,
      { status: { messages: [string, { node_id?: string }][] } }
    >;
    expect(history[promptId]?.status.messages.find(([type]) => type === 'execution_interrupted')?.[1].node_id).toBe(
      '3',
    );
  });
});
