import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import type { RasterU8 } from '../../media/raster.js';
import type { HistoryEntry, WsMessage } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { borderColour } from '../helpers/scene-checks.js';
import { getJson, postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';

/**
 * LaplaceScheduler, SetFirstSigma, ExtendIntermediateSigmas, SamplingPercentToSigma and ManualSigmas on the shipped
 * model through a real server, each feeding a SamplerCustomAdvanced: the steps each list makes the sampler run, the
 * list the editor is sent, a FLOAT from SamplingPercentToSigma arriving at SetFirstSigma through a link, and a typed
 * list with no number refused with the node and field named.
 */

const root = resolve(import.meta.dirname, '..', '..');
const shipped = join(root, 'models', 'diffusion', 'inkgraph-emoji', 'model_index.json');
const TEXT = 'a large apple in the center on a blue background';
const SEED = 3;

let server: TestServer;
let socket: TestSocket;

beforeAll(async () => {
  if (!existsSync(shipped)) return;
  server = await startTestServer({ modelsDir: join(root, 'models') });
  socket = await TestSocket.open(server.url, 'sigmas-more');
});
afterAll(async () => {
  socket?.close();
  await server?.stop();
});

type Link = [string, number];
const MODEL: Link = ['ckpt', 0];
const VAE: Link = ['ckpt', 2];

/** The loader, prompts, empty latent, sampler, guider and noise every graph here starts from. */
function base(): ApiPrompt {
  return {
    ckpt: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'inkgraph-emoji' } },
    pos: { class_type: 'CLIPTextEncode', inputs: { text: TEXT, clip: ['ckpt', 1] } },
    neg: { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['ckpt', 1] } },
    latent: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    select: { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler' } },
    guider: {
      class_type: 'CFGGuider',
      inputs: { model: MODEL, positive: ['pos', 0], negative: ['neg', 0], cfg: 5 },
    },
    noise: { class_type: 'RandomNoise', inputs: { noise_seed: SEED } },
  };
}

/** A SamplerCustomAdvanced `name` on the σ list `sigmas`, decoded and saved as `out_${name}`. */
function sample(prompt: ApiPrompt, name: string, sigmas: Link): void {
  prompt[name] = {
    class_type: 'SamplerCustomAdvanced',
    inputs: {
      noise: ['noise', 0],
      guider: ['guider', 0],
      sampler: ['select', 0],
      sigmas,
      latent_image: ['latent', 0],
    },
  };
  prompt[`decode_${name}`] = { class_type: 'VAEDecode', inputs: { samples: [name, 0], vae: VAE } };
  prompt[`out_${name}`] = {
    class_type: 'SaveImage',
    inputs: { images: [`decode_${name}`, 0], filename_prefix: `sigmas-more-${name}` },
  };
}

async function queue(prompt: ApiPrompt): Promise<{ status: number; json: unknown }> {
  return await postJson(`${server.url}/prompt`, { prompt, client_id: 'sigmas-more' });
}

async function run(prompt: ApiPrompt): Promise<{ messages: WsMessage[]; entry: HistoryEntry }> {
  const response = await queue(prompt);
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  const promptId = (response.json as { prompt_id: string }).prompt_id;
  const messages = await socket.waitForEnd(promptId);
  const error = messages.find((message) => message.type === 'execution_error');
  expect(error, JSON.stringify(error)).toBeUndefined();
  const entry = ((await getJson(`${server.url}/history/${promptId}`)).json as Record<string, HistoryEntry>)[promptId]!;
  return { messages, entry };
}

function raster(entry: HistoryEntry, node: string): RasterU8 {
  const image = entry.outputs[node]?.images?.[0];
  if (!image) throw new Error(`node ${node} saved no image`);
  const decoded = decodeImage(readFileSync(join(server.dirs.outputDir, image.subfolder, image.filename)));
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.value.raster;
}

/** The steps a sampler node reported, in order. */
function progressOf(messages: WsMessage[], node: string): number[] {
  return messages.flatMap((message) =>
    message.type === 'progress' && message.data.node === node ? [message.data.value] : [],
  );
}

/** The σ list a node sent the editor in its `executed` message. */
function plotted(messages: WsMessage[], node: string): unknown {
  const executed = messages.find((message) => message.type === 'executed' && message.data.node === node);
  return executed?.type === 'executed' ? executed.data.output?.sigmas : undefined;
}

describe.skipIf(!existsSync(shipped))('the further σ nodes on the shipped model', () => {
  it('runs a sampler on each: the steps its list gives, and a picture on the prompt’s blue', async () => {
    const prompt = base();
    // Typed by hand: five σ, four steps.
    prompt.manual = { class_type: 'ManualSigmas', inputs: { sigmas: '14.6, 7, 3, 1, 0' } };
    sample(prompt, 'manual_run', ['manual', 0]);
    // Nine σ without a final 0: eight steps, ending at σ_min.
    prompt.laplace = {
      class_type: 'LaplaceScheduler',
      inputs: { steps: 9, sigma_max: 14.614642, sigma_min: 0.0291675, mu: 0, beta: 0.5 },
    };
    sample(prompt, 'laplace_run', ['laplace', 0]);
    // Four normal steps, each split in two: eight.
    prompt.schedule = {
      class_type: 'BasicScheduler',
      inputs: { model: MODEL, scheduler: 'normal', steps: 4, denoise: 1 },
    };
    prompt.extended = {
      class_type: 'ExtendIntermediateSigmas',
      inputs: { sigmas: ['schedule', 0], steps: 2, start_at_sigma: -1, end_at_sigma: 0, spacing: 'linear' },
    };
    sample(prompt, 'extended_run', ['extended', 0]);
    const { messages, entry } = await run(prompt);

    expect(plotted(messages, 'manual')).toEqual([14.6, 7, 3, 1, 0]);
    expect(progressOf(messages, 'manual_run')).toEqual([1, 2, 3, 4]);
    const laplace = plotted(messages, 'laplace');
    expect(laplace).toHaveLength(9);
    expect(Array.isArray(laplace) ? laplace[8] : undefined).toBeCloseTo(0.0291675, 9);
    expect(progressOf(messages, 'laplace_run')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const schedule = plotted(messages, 'schedule');
    const extended = plotted(messages, 'extended');
    expect(extended).toHaveLength(9);
    // The original σ at every other place, each midpoint halfway between its neighbours.
    if (Array.isArray(schedule) && Array.isArray(extended)) {
      expect(extended.filter((_, i) => i % 2 === 0)).toEqual(schedule);
      for (let i = 1; i < extended.length; i += 2)
        expect(Number(extended[i])).toBeCloseTo((Number(extended[i - 1]) + Number(extended[i + 1])) / 2, 9);
    }
    expect(progressOf(messages, 'extended_run')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const name of ['manual_run', 'laplace_run', 'extended_run']) {
      const image = raster(entry, `out_${name}`);
      expect([name, image.width, image.height, borderColour(image).name]).toEqual([name, 64, 64, 'blue']);
    }
  });

  it("SamplingPercentToSigma's FLOAT sets SetFirstSigma's σ through a link", async () => {
    const prompt = base();
    prompt.schedule = {
      class_type: 'BasicScheduler',
      inputs: { model: MODEL, scheduler: 'normal', steps: 8, denoise: 1 },
    };
    sample(prompt, 'plain', ['schedule', 0]);
    // The actual σ_max at 0 is the normal schedule's own first σ: the same list, the same picture.
    prompt.start = {
      class_type: 'SamplingPercentToSigma',
      inputs: { model: MODEL, sampling_percent: 0, return_actual_sigma: true },
    };
    prompt.same = { class_type: 'SetFirstSigma', inputs: { sigmas: ['schedule', 0], sigma: ['start', 0] } };
    sample(prompt, 'same_run', ['same', 0]);
    // A tenth of the way in: a lower start than σ_max, still above the schedule's second σ.
    prompt.tenth = {
      class_type: 'SamplingPercentToSigma',
      inputs: { model: MODEL, sampling_percent: 0.1, return_actual_sigma: false },
    };
    prompt.lower = { class_type: 'SetFirstSigma', inputs: { sigmas: ['schedule', 0], sigma: ['tenth', 0] } };
    sample(prompt, 'lower_run', ['lower', 0]);
    const { messages, entry } = await run(prompt);

    const schedule = plotted(messages, 'schedule');
    const same = plotted(messages, 'same');
    const lower = plotted(messages, 'lower');
    if (!Array.isArray(schedule) || !Array.isArray(same) || !Array.isArray(lower)) throw new Error('no σ plotted');
    // The normal schedule's σ_max comes back through log σ, an ulp from the table's own.
    expect(Number(same[0])).toBeCloseTo(Number(schedule[0]), 12);
    expect(same.slice(1)).toEqual(schedule.slice(1));
    expect(Array.from(raster(entry, 'out_same_run').data)).toEqual(Array.from(raster(entry, 'out_plain').data));
    // σ at timestep 0.9·999 on SD's table (our numpy re-derivation of percent_to_sigma).
    expect(Number(lower[0])).toBeCloseTo(8.307172173464526, 9);
    expect(Number(lower[0])).toBeLessThan(Number(schedule[0]));
    expect(Number(lower[0])).toBeGreaterThan(Number(schedule[1]));
    expect(lower.slice(1)).toEqual(schedule.slice(1));
    expect(progressOf(messages, 'lower_run')).toHaveLength(8);
    expect(raster(entry, 'out_lower_run').width).toBe(64);
  });

  it('refuses a typed list with no number, naming the node and the field', async () => {
    const prompt = base();
    prompt.manual = { class_type: 'ManualSigmas', inputs: { sigmas: 'fourteen, seven, zero' } };
    sample(prompt, 'manual_run', ['manual', 0]);
    const response = await queue(prompt);
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.json)).toContain('ManualSigmas: sigmas: no number');
  });
});
