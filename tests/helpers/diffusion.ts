import { cpSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ApiPrompt } from '../../shared/workflow.js';

export const FIXTURE_MODELS = resolve(import.meta.dirname, '..', 'fixtures');
export const FIXTURE_VARIANTS = [
  'tiny-sd-fp32',
  'tiny-sd-scalar-timestep',
  'tiny-sd-fp16',
  'tiny-lcm',
  'tiny-sd-static-batch',
] as const;
/** The SDXL fixtures (base, refiner), kept out of FIXTURE_VARIANTS: the tests that iterate it assume one encoder. */
export const SDXL_FIXTURES = ['tiny-sdxl', 'tiny-sdxl-refiner'] as const;

/** Copies the fixture pipelines into `modelsDir/diffusion`, so a test may add or break folders. */
export function copyFixtureModels(modelsDir: string): void {
  mkdirSync(join(modelsDir, 'diffusion'), { recursive: true });
  cpSync(join(FIXTURE_MODELS, 'diffusion'), join(modelsDir, 'diffusion'), { recursive: true });
  cpSync(join(FIXTURE_MODELS, 'loras'), join(modelsDir, 'loras'), { recursive: true });
}

export interface TextToImageOptions {
  readonly ckpt?: string;
  readonly seed?: number;
  readonly steps?: number;
  readonly cfg?: number;
  readonly sampler?: string;
  readonly scheduler?: string;
  readonly batch?: number;
  readonly size?: number;
  readonly positive?: string;
  readonly prefix?: string;
}

/** ComfyUI's default text-to-image graph, as its "Export (API)" writes it (node ids as in ComfyUI's default). */
export function textToImage(options: TextToImageOptions = {}): ApiPrompt {
  return {
    '4': {
      class_type: 'CheckpointLoaderSimple',
      inputs: { ckpt_name: options.ckpt ?? 'tiny-sd-fp32' },
      _meta: { title: 'Load Checkpoint' },
    },
    '6': {
      class_type: 'CLIPTextEncode',
      inputs: { text: options.positive ?? 'a red cat on a blue background', clip: ['4', 1] },
      _meta: { title: 'CLIP Text Encode (Prompt)' },
    },
    '7': {
      class_type: 'CLIPTextEncode',
      inputs: { text: 'blurry, bad', clip: ['4', 1] },
      _meta: { title: 'CLIP Text Encode (Prompt)' },
    },
    '5': {
      class_type: 'EmptyLatentImage',
      inputs: { width: options.size ?? 64, height: options.size ?? 64, batch_size: options.batch ?? 1 },
      _meta: { title: 'Empty Latent Image' },
    },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: options.seed ?? 42,
        steps: options.steps ?? 6,
        cfg: options.cfg ?? 7,
        sampler_name: options.sampler ?? 'euler',
        scheduler: options.scheduler ?? 'normal',
        denoise: 1,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
      _meta: { title: 'KSampler' },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] }, _meta: { title: 'VAE Decode' } },
    '9': {
      class_type: 'SaveImage',
      inputs: { filename_prefix: options.prefix ?? 'ComfyUI', images: ['8', 0] },
      _meta: { title: 'Save Image' },
    },
  };
}
