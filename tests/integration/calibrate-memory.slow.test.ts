import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowBytes } from '../../nodes/contract/memory.js';
import {
  MEMORY_PROFILE_FILE,
  memoryProfileSchema,
  type MemoryProfile,
} from '../../nodes/runtime/diffusion/memory-profile.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { copyFixtureModels, textToImage } from '../helpers/diffusion.js';
import { postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';
import { runToHistory, savedImages } from '../helpers/workflow-run.js';

/**
 * `inkgraph calibrate-memory` on the SDXL base, its refiner and a 9-channel inpainting pipeline (each probe a fresh
 * process, so a pipeline takes about a minute here: the slow suite), then the server's estimate reading the
 * profiles: a 512×512 job its generic estimate refuses under a 1 GiB budget runs once the measured profile is there.
 */

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'inkgraph.js');
const GIB = 1024 ** 3;
const SIZE = 512;

let server: TestServer;
let socket: TestSocket;

beforeAll(async () => {
  server = await startTestServer({ maxMemoryBytes: GIB });
  copyFixtureModels(server.dirs.modelsDir);
  socket = await TestSocket.open(server.url, 'calibrate');
});
afterAll(async () => {
  socket.close();
  await server.stop();
});

const pipelineDir = (name: string): string => join(server.dirs.modelsDir, 'diffusion', name);

async function calibrate(name: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [bin, 'calibrate-memory', pipelineDir(name), '--max-seconds', '1'],
      { cwd: server.dirs.root },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

type Inputs = Record<string, unknown>;
type Node = { class_type: string; inputs: Inputs };

function sdxlGraph(ckpt: string, positive: Node, negative: Node): ApiPrompt {
  return {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: ckpt } },
    '6': { class_type: positive.class_type, inputs: { ...positive.inputs, clip: ['4', 1] } },
    '7': { class_type: negative.class_type, inputs: { ...negative.inputs, clip: ['4', 1] } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: SIZE, height: SIZE, batch_size: 1 } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 7,
        steps: 3,
        cfg: 5,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: ckpt, images: ['8', 0] } },
  };
}

const sdxlText = (text: string): Node => ({
  class_type: 'CLIPTextEncodeSDXL',
  inputs: {
    width: 1024,
    height: 1024,
    crop_w: 0,
    crop_h: 0,
    target_width: 1024,
    target_height: 1024,
    text_g: text,
    text_l: text,
  },
});
const refinerText = (text: string): Node => ({
  class_type: 'CLIPTextEncodeSDXLRefiner',
  inputs: { ascore: 6, width: 1024, height: 1024, text },
});

const cases: readonly {
  readonly name: string;
  readonly encoders: readonly string[];
  readonly inChannels: number;
  readonly prompt: ApiPrompt;
}[] = [
  {
    name: 'tiny-sdxl',
    encoders: ['text_encoder', 'text_encoder_2'],
    inChannels: 4,
    prompt: sdxlGraph('tiny-sdxl', sdxlText('a red cat'), sdxlText('blurry')),
  },
  {
    name: 'tiny-sdxl-refiner',
    encoders: ['text_encoder_2'],
    inChannels: 4,
    prompt: sdxlGraph('tiny-sdxl-refiner', refinerText('a red cat'), refinerText('blurry')),
  },
  {
    name: 'tiny-sd-inpaint',
    encoders: ['text_encoder'],
    inChannels: 9,
    prompt: textToImage({ ckpt: 'tiny-sd-inpaint', size: SIZE, steps: 3, cfg: 5, prefix: 'inpaint' }),
  },
];

describe('inkgraph calibrate-memory on SDXL, its refiner and a 9-channel inpainting UNet', () => {
  for (const { name, encoders, inChannels, prompt } of cases) {
    it(`${name}: the generic estimate refuses a ${SIZE}×${SIZE} job under 1 GiB, naming calibrate-memory`, async () => {
      const response = await postJson(`${server.url}/prompt`, { prompt, client_id: socket.clientId });
      expect(response.status).toBe(400);
      const body = response.json as {
        error: { type: string };
        node_errors: Record<string, { errors: { details: string }[] }>;
      };
      expect(body.error.type).toBe('memory_budget_exceeded');
      expect(body.node_errors['3']?.errors[0]?.details).toContain(`${name} has no memory-profile.json`);
    });

    it(`${name}: measures every part it has and writes a profile with positive costs`, async () => {
      const result = await calibrate(name);
      expect(result.code, result.stderr + result.stdout).toBe(0);
      const path = join(pipelineDir(name), MEMORY_PROFILE_FILE);
      expect(result.stdout).toContain(`wrote ${path}`);
      const profile: MemoryProfile = memoryProfileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
      expect(Object.keys(profile.parts).sort()).toEqual(['unet', 'vae_decoder', 'vae_encoder', ...encoders].sort());
      for (const [part, cost] of Object.entries(profile.parts)) {
        expect(cost && rowBytes(cost, 64 * 64), part).toBeGreaterThan(0);
        expect(profile.samples[part]?.length, part).toBeGreaterThan(0);
      }
      expect(profile.unet_in_channels).toBe(inChannels);
      // Two rows were measured for the UNet (its batch is dynamic): the cost is per row.
      expect(profile.samples.unet?.some(([rows]) => rows === 2)).toBe(true);
    }, 300_000);

    it(`${name}: with the measured profile the same job passes the budget and KSampler runs`, async () => {
      const entry = await runToHistory(server, socket, prompt);
      const [image] = savedImages(server, entry, '9');
      expect(image?.width).toBe(SIZE);
      expect(image?.height).toBe(SIZE);
    }, 120_000);
  }
});
