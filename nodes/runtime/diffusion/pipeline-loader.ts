import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { SharedCaches } from '../../contract/node-context.js';
import { fixedDim, loadSession, releaseSession, type LoadedSession } from '../onnx/session.js';
import { ModelSampling } from '../sampling/model-sampling.js';
import { loadClip } from './clip-loader.js';
import { unetResidualInputs, type UnetLevels } from './controlnet.js';
import { genericCosts, pipelineShape, type MemoryPart } from './memory-profile.js';
import { loadTunedSession } from '../onnx/tuned-session.js';
import { pipelineProbe } from './session-probes.js';
import { hasPatches, withPatches } from './patched-sessions.js';
import type { PatchStep, PipelinePatches } from './patched-model.js';
import type { PipelinePart } from './lora-keys.js';
import type { ClipModel, DiffusionModel, PipelineHandle, PipelineSessions, VaeHandle, VaeModel } from './types.js';
import type { LatentRgb } from '../../../media/latent-preview.js';

/** SD 1.5's latent→RGB factors (ComfyUI latent_formats.SD15), for 4-channel latents without their own. */
export const SD15_LATENT_RGB: LatentRgb = {
  factors: [
    [0.3512, 0.2297, 0.3227],
    [0.325, 0.4974, 0.235],
    [-0.2829, 0.1762, 0.2721],
    [-0.212, -0.2616, -0.7177],
  ],
  bias: [0, 0, 0],
};

const schedulerConfigSchema = z
  .object({
    _class_name: z.string().optional(),
    beta_start: z.number().default(0.00085),
    beta_end: z.number().default(0.012),
    beta_schedule: z.enum(['linear', 'scaled_linear', 'squaredcos_cap_v2']).default('scaled_linear'),
    num_train_timesteps: z.number().int().positive().default(1000),
    trained_betas: z.array(z.number()).nullable().optional(),
    prediction_type: z.enum(['epsilon', 'v_prediction', 'sample']).default('epsilon'),
    original_inference_steps: z.number().int().positive().optional(),
  })
  .passthrough();

const vaeConfigSchema = z
  .object({
    scaling_factor: z.number().positive().default(0.18215),
    latent_channels: z.number().int().positive().default(4),
    block_out_channels: z.array(z.number()).optional(),
    downscale_factor: z.number().int().positive().optional(),
    latent_rgb_factors: z.array(z.tuple([z.number(), z.number(), z.number()])).optional(),
    latent_rgb_bias: z.tuple([z.number(), z.number(), z.number()]).optional(),
  })
  .passthrough();

/** The pipeline folders under `models/diffusion/` (each has a `model_index.json`). */
export function listPipelines(modelsDir: string): string[] {
  const root = join(modelsDir, 'diffusion');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter(
      (name) =>
        !name.startsWith('.') &&
        statSync(join(root, name)).isDirectory() &&
        existsSync(join(root, name, 'model_index.json')),
    )
    .sort();
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`${basename(path)} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Checks a pipeline folder before loading anything: names each missing or unsupported part. */
export function checkPipelineFolder(dir: string): string[] {
  const problems: string[] = [];
  if (!existsSync(join(dir, 'model_index.json'))) problems.push('model_index.json is missing');
  const sdxl = existsSync(join(dir, 'text_encoder_2')) || existsSync(join(dir, 'tokenizer_2'));
  // SDXL refiner exports have only the second encoder; a base has both.
  const firstEncoder = !sdxl || existsSync(join(dir, 'text_encoder')) || existsSync(join(dir, 'tokenizer'));
  const parts = [
    ...(firstEncoder ? ['text_encoder/model.onnx'] : []),
    ...(sdxl ? ['text_encoder_2/model.onnx'] : []),
    'unet/model.onnx',
    'vae_decoder/model.onnx',
    ...(firstEncoder ? ['tokenizer/vocab.json', 'tokenizer/merges.txt'] : []),
    ...(sdxl ? ['tokenizer_2/vocab.json', 'tokenizer_2/merges.txt'] : []),
    'scheduler/scheduler_config.json',
  ];
  for (const part of parts) if (!existsSync(join(dir, part))) problems.push(`${part} is missing`);
  return problems;
}

function loadVae(
  dir: string,
  name: string,
  pipeline: VaeHandle,
  sessions: Pick<PipelineSessions, 'vaeDecoder' | 'vaeEncoder'>,
): VaeModel {
  const configPath = join(dir, 'vae_decoder', 'config.json');
  const config = vaeConfigSchema.parse(existsSync(configPath) ? readJson(configPath) : {});
  if (!sessions.vaeDecoder.inputs.has('latent_sample'))
    throw new Error('vae_decoder/model.onnx has no latent_sample input');
  const encoder = sessions.vaeEncoder;
  let encoderOutput: VaeModel['encoderOutput'];
  if (encoder) {
    if (encoder.outputNames.includes('latent_parameters')) encoderOutput = 'latent_parameters';
    else if (encoder.outputNames.includes('latent_sample')) encoderOutput = 'latent_sample';
    else
      throw new Error(
        `vae_encoder/model.onnx has neither latent_parameters nor latent_sample among its outputs (${encoder.outputNames.join(', ')})`,
      );
  }
  const downscale =
    config.downscale_factor ?? (config.block_out_channels ? 2 ** (config.block_out_channels.length - 1) : 8);
  return {
    name,
    pipeline,
    encoderOutput,
    scaleFactor: config.scaling_factor,
    latentChannels: config.latent_channels,
    downscale,
  };
}

function latentRgbOf(dir: string, channels: number): LatentRgb | undefined {
  const configPath = join(dir, 'vae_decoder', 'config.json');
  const config = vaeConfigSchema.parse(existsSync(configPath) ? readJson(configPath) : {});
  if (config.latent_rgb_factors) {
    if (config.latent_rgb_factors.length !== channels)
      throw new Error(
        `vae_decoder/config.json: latent_rgb_factors has ${config.latent_rgb_factors.length} rows for ${channels} latent channels`,
      );
    return { factors: config.latent_rgb_factors, bias: config.latent_rgb_bias ?? [0, 0, 0] };
  }
  return channels === 4 ? SD15_LATENT_RGB : undefined;
}

/**
 * The handle whose sessions live in the shared caches as one entry (one --max-models slot), released together;
 * with `patches`, the patched parts come from entries of their own (lora-sessions.ts).
 */
export function pipelineHandle(dir: string, patches: PipelinePatches = {}, patchDir?: string): PipelineHandle {
  const plain = basePipelineHandle(dir);
  if (!hasPatches(patches)) return plain;
  if (patchDir === undefined) throw new Error('a patched pipeline needs a folder for its patched models');
  return {
    dir,
    patches,
    patchDir,
    sessions: async (caches) => withPatches(dir, await plain.sessions(caches), patches, patchDir, caches),
  };
}

/** The handle with one more step done to some of its parts (a LoRA, a merge). */
export function withStep(
  handle: PipelineHandle,
  parts: readonly PipelinePart[],
  step: PatchStep,
  patchDir: string,
): PipelineHandle {
  const patches: { -readonly [K in PipelinePart]?: readonly PatchStep[] } = { ...handle.patches };
  for (const part of parts) patches[part] = [...(patches[part] ?? []), step];
  return pipelineHandle(handle.dir, patches, handle.patchDir ?? patchDir);
}

function basePipelineHandle(dir: string): PipelineHandle {
  return {
    dir,
    patches: {},
    patchDir: undefined,
    sessions: (caches) =>
      caches.getOrCreate(
        `pipeline:${dir}`,
        async () => {
          // Each part with the threads fastest for it here (tuned-session.ts); the UNet is the sampling loop's.
          const load = (part: MemoryPart): Promise<LoadedSession> =>
            loadTunedSession(join(dir, part, 'model.onnx'), pipelineProbe(dir, part), part === 'unet');
          const optional = (part: MemoryPart): Promise<LoadedSession | undefined> =>
            existsSync(join(dir, part, 'model.onnx')) ? load(part) : Promise.resolve(undefined);
          return {
            unet: await load('unet'),
            textEncoder: await optional('text_encoder'),
            textEncoder2: await optional('text_encoder_2'),
            vaeDecoder: await load('vae_decoder'),
            vaeEncoder: await optional('vae_encoder'),
          };
        },
        async (sessions) => {
          for (const loaded of [
            sessions.unet,
            sessions.textEncoder,
            sessions.textEncoder2,
            sessions.vaeDecoder,
            sessions.vaeEncoder,
          ])
            if (loaded) await releaseSession(loaded);
        },
      ),
  };
}

export interface LoadedPipeline {
  readonly model: DiffusionModel;
  readonly clip: ClipModel;
  readonly vae: VaeModel;
}

/** SDXL UNets take `time_ids`: 6 sizes for the base model, 5 values (with the aesthetic score) for the refiner. */
function sizeConditioningOf(name: string, unet: LoadedSession): DiffusionModel['sizeConditioning'] {
  const timeIds = unet.inputs.get('time_ids');
  const textEmbeds = unet.inputs.get('text_embeds');
  if (!timeIds && !textEmbeds) return undefined;
  if (!timeIds || !textEmbeds)
    throw new Error(
      `cannot run ${name}: its UNet takes ${timeIds ? 'time_ids' : 'text_embeds'} without ${timeIds ? 'text_embeds' : 'time_ids'} (SDXL UNets take both)`,
    );
  const width = fixedDim(timeIds, 1);
  if (width === 6) return 'sdxl';
  if (width === 5) return 'sdxl-refiner';
  throw new Error(
    `cannot run ${name}: its UNet's time_ids has ${width ?? 'an unknown number of'} values per row (SDXL base takes 6, the refiner 5)`,
  );
}

const unetConfigSchema = z.object({
  block_out_channels: z.array(z.number().int().positive()).optional(),
  layers_per_block: z.union([z.number().int().positive(), z.array(z.number().int().positive())]).optional(),
});

/** unet/config.json's levels, for the depth of each ControlNet residual; empty where the file is absent or odd. */
function unetLevelsOf(dir: string): UnetLevels {
  const path = join(dir, 'unet', 'config.json');
  if (!existsSync(path)) return {};
  let config: unknown;
  try {
    config = readJson(path);
  } catch {
    return {};
  }
  const parsed = unetConfigSchema.safeParse(config);
  if (!parsed.success) return {};
  const perBlock = parsed.data.layers_per_block;
  return {
    blocks: parsed.data.block_out_channels?.length,
    layersPerBlock: Array.isArray(perBlock) ? perBlock[0] : perBlock,
  };
}

/** Loads (once; sessions are shared through the caches) an ONNX SD pipeline folder. */
export async function loadPipeline(dir: string, caches: SharedCaches): Promise<LoadedPipeline> {
  const name = basename(dir);
  const problems = checkPipelineFolder(dir);
  if (problems.length > 0) throw new Error(`cannot run ${name}: ${problems.join('; ')}`);
  const scheduler = schedulerConfigSchema.parse(readJson(join(dir, 'scheduler', 'scheduler_config.json')));
  if (scheduler.prediction_type === 'sample')
    throw new Error(`cannot run ${name}: prediction_type "sample" is not supported (epsilon and v_prediction are)`);
  const pipeline = pipelineHandle(dir);
  const sessions = await pipeline.sessions(caches);
  const unet = sessions.unet;
  for (const required of ['sample', 'timestep', 'encoder_hidden_states']) {
    if (!unet.inputs.has(required))
      throw new Error(
        `cannot run ${name}: unet/model.onnx has no ${required} input (it has ${[...unet.inputs.keys()].join(', ')})`,
      );
  }
  const sizeConditioning = sizeConditioningOf(name, unet);
  if (sizeConditioning && !sessions.textEncoder2)
    throw new Error(`cannot run ${name}: its UNet takes text_embeds and time_ids (SDXL) but text_encoder_2 is missing`);
  const clip = loadClip(dir, name, pipeline, sessions);
  const vae = loadVae(dir, name, pipeline, sessions);
  const isLcm = scheduler._class_name === 'LCMScheduler';
  const stride = isLcm
    ? Math.floor(scheduler.num_train_timesteps / (scheduler.original_inference_steps ?? 50))
    : undefined;
  const sampling = new ModelSampling(
    {
      betaStart: scheduler.beta_start,
      betaEnd: scheduler.beta_end,
      betaSchedule: scheduler.beta_schedule,
      numTrainTimesteps: scheduler.num_train_timesteps,
      ...(scheduler.trained_betas ? { trainedBetas: scheduler.trained_betas } : {}),
    },
    scheduler.prediction_type,
    stride,
  );
  const condInfo = unet.inputs.get('timestep_cond');
  const condDim = condInfo ? (fixedDim(condInfo, 1) ?? 256) : undefined;
  const model: DiffusionModel = {
    name,
    pipeline,
    unetInputs: unet.inputs,
    residualInputs: unetResidualInputs(unet.inputs, unetLevelsOf(dir)),
    sampling,
    latentChannels: vae.latentChannels,
    downscale: vae.downscale,
    scaleFactor: vae.scaleFactor,
    latentRgb: latentRgbOf(dir, vae.latentChannels),
    timestepCondDim: condDim,
    sizeConditioning,
    unetInChannels: fixedDim(unet.inputs.get('sample'), 1) ?? vae.latentChannels,
    maxBatch: fixedDim(unet.inputs.get('sample'), 0) ?? Number.POSITIVE_INFINITY,
    previewDecoder: vae,
    unetCost: pipelineShape(dir).unet ?? genericCosts(vae.downscale).unet,
  };
  return { model, clip, vae };
}

/** Pipeline folders that have a VAE decoder, for VAELoader. */
export function listVaes(modelsDir: string): string[] {
  return listPipelines(modelsDir).filter((name) =>
    existsSync(join(modelsDir, 'diffusion', name, 'vae_decoder', 'model.onnx')),
  );
}

/** Loads only a pipeline folder's VAE (decoder, and encoder where present), to mix parts of pipelines. */
export async function loadVaeOnly(dir: string, caches: SharedCaches): Promise<VaeModel> {
  const name = basename(dir);
  if (!existsSync(join(dir, 'vae_decoder', 'model.onnx')))
    throw new Error(`cannot load the VAE of ${name}: vae_decoder/model.onnx is missing`);
  const handle: VaeHandle = {
    dir,
    sessions: (shared) =>
      shared.getOrCreate(
        `vae:${dir}`,
        async () => {
          const encoderPath = join(dir, 'vae_encoder', 'model.onnx');
          const vaeDecoder = await loadSession(join(dir, 'vae_decoder', 'model.onnx'));
          const vaeEncoder = existsSync(encoderPath) ? await loadSession(encoderPath) : undefined;
          return { vaeDecoder, vaeEncoder };
        },
        async (sessions) => {
          await releaseSession(sessions.vaeDecoder);
          if (sessions.vaeEncoder) await releaseSession(sessions.vaeEncoder);
        },
      ),
  };
  return loadVae(dir, name, handle, await handle.sessions(caches));
}
