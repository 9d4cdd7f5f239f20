import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import type { HistoryEntry, WsMessage } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { copyFixtureModels, FIXTURE_VARIANTS, textToImage } from '../helpers/diffusion.js';
import { getJson, postJson, startTestServer, TestSocket, testPng, type TestServer } from '../helpers/server.js';

let server: TestServer;
let socket: TestSocket;

beforeAll(async () => {
  server = await startTestServer();
  copyFixtureModels(server.dirs.modelsDir);
  socket = await TestSocket.open(server.url, 'painter');
});
afterAll(async () => {
  socket.close();
  await server.stop();
});

async function run(
  prompt: ApiPrompt,
  extraData: Record<string, unknown> = {},
): Promise<{ promptId: string; messages: WsMessage[]; frames: number; entry: HistoryEntry }> {
  const before = socket.received.length;
  const response = await postJson(`${server.url}/prompt`, { prompt, client_id: 'painter', extra_data: extraData });
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  const promptId = (response.json as { prompt_id: string }).prompt_id;
  const messages = await socket.waitForEnd(promptId);
  const frames = socket.received.slice(before).filter((r) => r.kind === 'binary').length;
  const entry = ((await getJson(`${server.url}/history/${promptId}`)).json as Record<string, HistoryEntry>)[promptId]!;
  return { promptId, messages, frames, entry };
}

function outputPngs(entry: HistoryEntry, node = '9'): Buffer[] {
  return (entry.outputs[node]?.images ?? []).map((image) =>
    readFileSync(join(server.dirs.outputDir, image.subfolder, image.filename)),
  );
}

function pixels(png: Buffer): Uint8Array {
  const decoded = decodeImage(png);
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.value.raster.data;
}

async function freeCaches(): Promise<void> {
  expect((await postJson(`${server.url}/free`, { free_memory: true })).status).toBe(200);
}

describe('ComfyUI text-to-image workflow on every dtype variant', () => {
  it.each(FIXTURE_VARIANTS)(
    '%s: runs through POST /prompt with a progress message and a preview frame per step',
    async (variant) => {
      const steps = 5;
      const result = await run(textToImage({ ckpt: variant, steps, prefix: variant }));
      const error = result.messages.find((m) => m.type === 'execution_error');
      expect(error, JSON.stringify(error)).toBeUndefined();
      const progress = result.messages.filter((m) => m.type === 'progress' && m.data.node === '3');
      expect(progress.map((m) => (m.type === 'progress' ? m.data.value : 0))).toEqual([1, 2, 3, 4, 5]);
      expect(result.frames).toBe(steps);
      const [png] = outputPngs(result.entry);
      const decoded = decodeImage(png!);
      expect(decoded.ok && [decoded.value.raster.width, decoded.value.raster.height]).toEqual([64, 64]);
    },
  );
});

describe('determinism and batches', () => {
  it('the same seed and settings give identical bytes, twice; another seed differs', async () => {
    const first = outputPngs((await run(textToImage({ seed: 1234, prefix: 'det' }))).entry)[0]!;
    await freeCaches();
    const second = outputPngs((await run(textToImage({ seed: 1234, prefix: 'det' }))).entry)[0]!;
    expect(Buffer.from(pixels(first)).equals(Buffer.from(pixels(second)))).toBe(true);
    const other = outputPngs((await run(textToImage({ seed: 1235, prefix: 'det' }))).entry)[0]!;
    expect(Buffer.from(pixels(other)).equals(Buffer.from(pixels(first)))).toBe(false);
  });

  it('batch item i of a seed is reproducible on its own', async () => {
    const single = outputPngs((await run(textToImage({ seed: 77, batch: 1, prefix: 'single' }))).entry);
    const batch = outputPngs((await run(textToImage({ seed: 77, batch: 3, prefix: 'batch' }))).entry);
    expect(batch).toHaveLength(3);
    expect(Buffer.from(pixels(batch[0]!)).equals(Buffer.from(pixels(single[0]!)))).toBe(true);
    expect(Buffer.from(pixels(batch[1]!)).equals(Buffer.from(pixels(batch[0]!)))).toBe(false);
  });

  it('every sampler and scheduler runs', async () => {
    for (const sampler of ['euler', 'euler_ancestral', 'heun', 'dpmpp_2m', 'dpmpp_2m_sde', 'ddim', 'lcm']) {
      const result = await run(textToImage({ sampler, scheduler: 'karras', steps: 3, seed: 5, prefix: sampler }));
      expect(result.entry.status.status_str, sampler).toBe('success');
    }
    for (const scheduler of ['simple', 'sgm_uniform', 'exponential', 'ddim_uniform', 'normal', 'lcm']) {
      const result = await run(textToImage({ scheduler, steps: 3, seed: 6, prefix: scheduler }));
      expect(result.entry.status.status_str, scheduler).toBe('success');
    }
  });

  it('long prompts (over 75 tokens) and emphasis are encoded', async () => {
    const long = Array.from({ length: 60 }, (_, i) => `(cat:${1 + (i % 3) / 10}) red`).join(' ');
    const result = await run(textToImage({ positive: long, steps: 2, prefix: 'long' }));
    expect(result.entry.status.status_str).toBe('success');
  });
});

describe('previews', () => {
  it('sends none with preview_method none, and VAE-decoded previews with vae', async () => {
    const none = await run(textToImage({ seed: 9, steps: 4, prefix: 'none' }), { preview_method: 'none' });
    expect(none.frames).toBe(0);
    await freeCaches();
    const vae = await run(textToImage({ seed: 9, steps: 4, prefix: 'vae' }), { preview_method: 'vae' });
    // --preview-every 5 by default: only the last step of 4 gets a decoded preview.
    expect(vae.frames).toBe(1);
    const frame = socket.received.filter((r) => r.kind === 'binary').at(-1)!;
    expect(frame.kind === 'binary' && frame.frame.event === 1 && decodeImage(frame.frame.image).ok).toBe(true);
    const decoded = frame.kind === 'binary' && frame.frame.event === 1 ? decodeImage(frame.frame.image) : undefined;
    expect(decoded?.ok && decoded.value.raster.width).toBe(64);
  });
});

describe('auto previews', () => {
  /** The width of each step's preview frame of a run (latent→RGB frames are latent-sized, decoded ones full-size). */
  function frameWidths(from: number): number[] {
    return socket.received
      .slice(from)
      .filter((r) => r.kind === 'binary')
      .map((r) => {
        const decoded = r.kind === 'binary' && r.frame.event === 1 ? decodeImage(r.frame.image) : undefined;
        return decoded?.ok ? decoded.value.raster.width : -1;
      });
  }

  it("times the VAE against a step once, then keeps the choice for the model's later runs", async () => {
    await freeCaches();
    const first = socket.received.length;
    const one = await run(textToImage({ seed: 3, steps: 6, prefix: 'auto1' }), { preview_method: 'auto' });
    expect(one.frames).toBe(6);
    const widths = frameWidths(first);
    // Step 1: latent→RGB (8×8 cells) while the session warms up; step 2: decoded (64 px) to time the VAE; then the
    // choice, the same for every later step.
    expect(widths.slice(0, 2)).toEqual([8, 64]);
    const chosen = widths[2]!;
    expect([8, 64]).toContain(chosen);
    expect(widths.slice(2).every((width) => width === chosen)).toBe(true);
    const second = socket.received.length;
    await run(textToImage({ seed: 4, steps: 3, prefix: 'auto2' }), { preview_method: 'auto' });
    expect(frameWidths(second)).toEqual([chosen, chosen, chosen]);
  });
});

describe('img2img, advanced sampling and latent upscale', () => {
  it('VAEEncode → KSampler(denoise 0.5) → VAEDecode keeps the input image recognisable', async () => {
    writeFileSync(join(server.dirs.inputDir, 'source.png'), testPng(64, 64));
    const prompt = textToImage({ steps: 10, prefix: 'img2img' });
    prompt['10'] = { class_type: 'LoadImage', inputs: { image: 'source.png' } };
    prompt['11'] = { class_type: 'VAEEncode', inputs: { pixels: ['10', 0], vae: ['4', 2] } };
    prompt['3']!.inputs.latent_image = ['11', 0];
    prompt['3']!.inputs.denoise = 0.5;
    const result = await run(prompt);
    expect(result.entry.status.status_str).toBe('success');
    // denoise 0.5 of 10 steps runs 10 steps from the middle of a 20-step schedule.
    expect(result.messages.filter((m) => m.type === 'progress' && m.data.node === '3')).toHaveLength(10);
  });

  it('two KSamplerAdvanced stages, then an upscaled latent', async () => {
    const prompt = textToImage({ prefix: 'advanced' });
    const common = {
      model: ['4', 0],
      positive: ['6', 0],
      negative: ['7', 0],
      noise_seed: 3,
      steps: 8,
      cfg: 6,
      sampler_name: 'euler',
      scheduler: 'normal',
    };
    prompt['3'] = {
      class_type: 'KSamplerAdvanced',
      inputs: {
        ...common,
        add_noise: 'enable',
        latent_image: ['5', 0],
        start_at_step: 0,
        end_at_step: 4,
        return_with_leftover_noise: 'enable',
      },
    };
    prompt['12'] = {
      class_type: 'LatentUpscale',
      inputs: { samples: ['3', 0], upscale_method: 'bilinear', width: 96, height: 0, crop: 'disabled' },
    };
    prompt['13'] = {
      class_type: 'KSamplerAdvanced',
      inputs: {
        ...common,
        add_noise: 'disable',
        latent_image: ['12', 0],
        start_at_step: 4,
        end_at_step: 10000,
        return_with_leftover_noise: 'disable',
      },
    };
    prompt['8']!.inputs.samples = ['13', 0];
    const result = await run(prompt);
    expect(result.entry.status.status_str).toBe('success');
    expect(result.messages.filter((m) => m.type === 'progress' && m.data.node === '3')).toHaveLength(4);
    expect(result.messages.filter((m) => m.type === 'progress' && m.data.node === '13')).toHaveLength(4);
    const decoded = decodeImage(outputPngs(result.entry)[0]!);
    expect(decoded.ok && [decoded.value.raster.width, decoded.value.raster.height]).toEqual([96, 96]);
  });
});

describe('interrupts and bad models', () => {
  it('interrupt stops sampling within a step and the server carries on', async () => {
    // Several seconds of sampling if not interrupted (10,000 steps at 512×512 on the tiny fixture model).
    const before = socket.received.length;
    const response = await postJson(`${server.url}/prompt`, {
      prompt: textToImage({ steps: 10_000, size: 512, seed: 11, prefix: 'long-run' }),
      client_id: 'painter',
    });
    const promptId = (response.json as { prompt_id: string }).prompt_id;
    await socket.waitFor(
      (r) =>
        socket.received.indexOf(r) >= before &&
        r.kind === 'json' &&
        r.message.type === 'progress' &&
        r.message.data.node === '3',
    );
    await postJson(`${server.url}/interrupt`, {});
    const messages = await socket.waitForEnd(promptId);
    const interrupted = messages.find((m) => m.type === 'execution_interrupted');
    expect(interrupted?.type === 'execution_interrupted' && interrupted.data.node_id).toBe('3');
    expect(messages.filter((m) => m.type === 'progress').length).toBeLessThan(10_000);
    const next = await run(textToImage({ steps: 2, seed: 12, prefix: 'after' }));
    expect(next.entry.status.status_str).toBe('success');
  });

  it('a malformed model folder gets an error naming what is missing', async () => {
    copyFixtureModels(join(server.dirs.root, 'broken-copy'));
    const broken = join(server.dirs.modelsDir, 'diffusion', 'tiny-broken');
    const { cpSync } = await import('node:fs');
    cpSync(join(server.dirs.root, 'broken-copy', 'diffusion', 'tiny-sd-fp32'), broken, { recursive: true });
    rmSync(join(broken, 'unet'), { recursive: true });
    const result = await run(textToImage({ ckpt: 'tiny-broken', prefix: 'broken' }));
    const error = result.messages.find((m) => m.type === 'execution_error');
    expect(error?.type === 'execution_error' && error.data.node_type).toBe('CheckpointLoaderSimple');
    expect(error?.type === 'execution_error' && error.data.exception_message).toContain('unet/model.onnx is missing');

    // An SDXL folder (it has text_encoder_2) without the second tokenizer.
    const sdxl = join(server.dirs.modelsDir, 'diffusion', 'tiny-half-sdxl');
    cpSync(join(server.dirs.root, 'broken-copy', 'diffusion', 'tiny-sd-fp32'), sdxl, { recursive: true });
    cpSync(join(sdxl, 'text_encoder'), join(sdxl, 'text_encoder_2'), { recursive: true });
    const sdxlResult = await run(textToImage({ ckpt: 'tiny-half-sdxl', prefix: 'sdxl' }));
    const sdxlError = sdxlResult.messages.find((m) => m.type === 'execution_error');
    expect(sdxlError?.type === 'execution_error' && sdxlError.data.exception_message).toContain(
      'tokenizer_2/vocab.json is missing',
    );

    const notInList = await postJson(`${server.url}/prompt`, { prompt: textToImage({ ckpt: 'nope' }) });
    expect(
      (notInList.json as { node_errors: Record<string, { errors: { type: string }[] }> }).node_errors['4']!.errors[0]!
        .type,
    ).toBe('value_not_in_list');
  });
});

describe('object_info for the diffusion nodes', () => {
  it('lists checkpoints, samplers and schedulers as real clients read them', async () => {
    const info = (await getJson(`${server.url}/object_info/KSampler`)).json as Record<
      string,
      { input: { required: Record<string, [unknown, Record<string, unknown>?]> } }
    >;
    expect(info.KSampler!.input.required.sampler_name![0]).toContain('dpmpp_2m');
    expect(info.KSampler!.input.required.seed![1]).toMatchObject({ control_after_generate: true, min: 0 });
    const loader = (await getJson(`${server.url}/object_info/CheckpointLoaderSimple`)).json as Record<
      string,
      { input: { required: { ckpt_name: [string[]] } } }
    >;
    expect(loader.CheckpointLoaderSimple!.input.required.ckpt_name[0]).toEqual(
      expect.arrayContaining([...FIXTURE_VARIANTS]),
    );
  });
});

describe('VAELoader', () => {
  it("decodes with another pipeline's VAE", async () => {
    const prompt = textToImage({ steps: 2, seed: 31, prefix: 'vae-loader' });
    prompt['20'] = { class_type: 'VAELoader', inputs: { vae_name: 'tiny-sd-scalar-timestep' } };
    prompt['8']!.inputs.vae = ['20', 0];
    const result = await run(prompt);
    expect(result.entry.status.status_str).toBe('success');
    const missing = await postJson(`${server.url}/prompt`, {
      prompt: { ...prompt, '20': { class_type: 'VAELoader', inputs: { vae_name: 'nope' } } },
    });
    expect(missing.status).toBe(400);
  });
});

describe('model memory', () => {
  it('reloads evicted or freed models: cached MODEL outputs stay usable', async () => {
    // Five pipelines against --max-models 4 (the default) evicts the oldest; then run it again, cached.
    for (const variant of FIXTURE_VARIANTS)
      expect(
        (await run(textToImage({ ckpt: variant, steps: 2, seed: 21, prefix: `mem-${variant}` }))).entry.status
          .status_str,
      ).toBe('success');
    const again = await run(textToImage({ ckpt: FIXTURE_VARIANTS[0], steps: 2, seed: 22, prefix: 'mem-again' }));
    expect(again.entry.status.status_str).toBe('success');
    expect((await postJson(`${server.url}/free`, { unload_models: true })).status).toBe(200);
    const afterFree = await run(textToImage({ ckpt: FIXTURE_VARIANTS[0], steps: 2, seed: 23, prefix: 'mem-free' }));
    expect(afterFree.entry.status.status_str).toBe('success');
    const cached = afterFree.messages.find((m) => m.type === 'execution_cached');
    expect(cached?.type === 'execution_cached' && cached.data.nodes).toContain('4');
  });
});
