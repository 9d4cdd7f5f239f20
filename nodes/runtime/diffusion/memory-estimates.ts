import { join } from 'node:path';
import type { EstimateContext } from '../../contract/node-context.js';
import {
  rowBytes,
  shapeBytes,
  weightsOf,
  type ImageShape,
  type LatentShape,
  type ModelShape,
  type NodeMemory,
} from '../../contract/memory.js';
import { formatBytes } from '../../../shared/format-bytes.js';
import { resolveInside } from '../../../media/safe-path.js';
import { modelCallBudget, partsBytes, pipelineShape, rowsPerCall } from './memory-profile.js';

/** The memory estimates of the diffusion nodes (see nodes/memory.ts), next to the code whose memory they count. */

function pipelineDir(ctx: EstimateContext, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const dir = resolveInside(join(ctx.env.modelsDir, 'diffusion'), name);
  return dir.ok ? dir.value : undefined;
}

export function checkpointMemory(name: string | undefined, ctx: EstimateContext): NodeMemory {
  const dir = pipelineDir(ctx, name);
  if (!dir) return { outputs: [undefined, undefined, undefined], workingBytes: 0 };
  const model = pipelineShape(dir);
  // Loading reads each file while its session is built: about the weights once more, for a moment.
  return {
    outputs: [model, model, model],
    workingBytes: model.weightsBytes,
    models: [weightsOf(model)],
    driver: { input: 'ckpt_name', why: `${model.name} weighs ${formatBytes(model.weightsBytes)}` },
  };
}

export function vaeLoaderMemory(name: string | undefined, ctx: EstimateContext): NodeMemory {
  const dir = pipelineDir(ctx, name);
  if (!dir) return { outputs: [undefined], workingBytes: 0 };
  const pipeline = pipelineShape(dir);
  const vae: ModelShape = {
    ...pipeline,
    key: `vae:${dir}`,
    weightsBytes: partsBytes(dir, ['vae_decoder', 'vae_encoder']),
  };
  return { outputs: [vae], workingBytes: vae.weightsBytes, models: [weightsOf(vae)] };
}

export function textEncodeMemory(clip: ModelShape | undefined): NodeMemory {
  return { outputs: [undefined], workingBytes: clip?.textEncoder ? rowBytes(clip.textEncoder, 0) : 0 };
}

/** The latent the sampler works on: an empty latent made for another cell size is re-made on the model's grid. */
export function latentOnModelGrid(latent: LatentShape, model: ModelShape): LatentShape {
  if (latent.downscale === model.downscale) return latent;
  return {
    ...latent,
    height: Math.max(1, Math.round((latent.height * latent.downscale) / model.downscale)),
    width: Math.max(1, Math.round((latent.width * latent.downscale) / model.downscale)),
    downscale: model.downscale,
  };
}

/** Latent-sized arrays a sampler holds at once: x, noise, denoised, the UNet's input and output, a sampler's history. */
const SAMPLER_LATENT_COPIES = 10;

/**
 * What an inpainting UNet's wider input adds: the [mask, masked latent] channels held for each conditioning (the
 * whole batch, once per row kind) and their part of each call's `sample`. 0 for a UNet that takes the latent alone.
 */
export function inpaintConcatBytes(model: ModelShape, latent: LatentShape, rows: number, perCall: number): number {
  const extra = Math.max(0, (model.unetInChannels ?? model.latentChannels) - latent.channels);
  return extra * latent.height * latent.width * 4 * (rows + perCall);
}

export function samplerMemory(
  model: ModelShape | undefined,
  latentIn: LatentShape | undefined,
  cfg: number | undefined,
  ctx: EstimateContext,
): NodeMemory {
  if (!model || !latentIn) return { outputs: [latentIn], workingBytes: 0 };
  const latent = latentOnModelGrid(latentIn, model);
  const cells = latent.height * latent.width;
  const rows = latent.batch * (cfg === 1 ? 1 : 2);
  const unet = model.unet ? rowBytes(model.unet, cells) : 0;
  const perCall = model.unet
    ? rowsPerCall(model.unet, cells, rows, model.maxBatch, modelCallBudget(ctx.memoryBudgetBytes))
    : rows;
  // A `vae` preview decodes one item between UNet calls, never during one.
  const preview = model.vaeDecoder ? rowBytes(model.vaeDecoder, cells) : 0;
  const working =
    Math.max(perCall * unet, preview) +
    SAMPLER_LATENT_COPIES * shapeBytes(latent) +
    inpaintConcatBytes(model, latent, rows, perCall);
  const measured = model.measured
    ? ''
    : ` (a generic estimate: ${model.name} has no memory-profile.json; \`inkgraph calibrate-memory\` measures one)`;
  return {
    outputs: [latent],
    workingBytes: working,
    driver: {
      input: 'latent_image',
      why: `${latent.width}×${latent.height} latent cells, ${rows} UNet row${rows === 1 ? '' : 's'} in calls of ${perCall}, ~${formatBytes(unet)} per row${measured}`,
    },
  };
}

export function vaeDecodeMemory(latent: LatentShape | undefined, vae: ModelShape | undefined): NodeMemory {
  if (!latent || !vae) return { outputs: [undefined], workingBytes: 0 };
  const cells = latent.height * latent.width;
  const image: ImageShape = {
    kind: 'image',
    batch: latent.batch,
    height: latent.height * vae.downscale,
    width: latent.width * vae.downscale,
    channels: 3,
  };
  const perItem = vae.vaeDecoder ? rowBytes(vae.vaeDecoder, cells) : 0;
  return {
    outputs: [image],
    workingBytes: perItem,
    driver: {
      input: 'samples',
      why: `${latent.width}×${latent.height} latent cells decode to ${image.width}×${image.height} px, ~${formatBytes(perItem)} per item`,
    },
  };
}

export function vaeEncodeMemory(image: ImageShape | undefined, vae: ModelShape | undefined): NodeMemory {
  if (!image || !vae) return { outputs: [undefined], workingBytes: 0 };
  const height = Math.floor(image.height / vae.downscale);
  const width = Math.floor(image.width / vae.downscale);
  const latent: LatentShape = {
    kind: 'latent',
    batch: image.batch,
    channels: vae.latentChannels,
    height,
    width,
    downscale: vae.downscale,
  };
  const perItem = (vae.vaeEncoder ? rowBytes(vae.vaeEncoder, height * width) : 0) + image.height * image.width * 3 * 4;
  return {
    outputs: [latent],
    workingBytes: perItem,
    driver: { input: 'pixels', why: `${image.width}×${image.height} px, ~${formatBytes(perItem)} per item to encode` },
  };
}

/**
 * LoraLoader passes its model and CLIP on; a patched model is a second copy of the weights it changes, counted at
 * the whole pipeline's weights (an upper bound: a LoRA usually patches only part of them).
 */
export function loraMemory(
  model: ModelShape | undefined,
  loraName: string | undefined,
  strengthModel: number | undefined,
  /** LoraLoader's CLIP (absent for LoraLoaderModelOnly, which has no CLIP output). */
  clip?: { readonly shape: ModelShape | undefined },
): NodeMemory {
  const outputs = clip === undefined ? [model] : [model, clip.shape];
  if (!model || strengthModel === 0) return { outputs, workingBytes: 0 };
  const patched = {
    key: `${model.key}|lora:${loraName ?? ''}:${strengthModel ?? 1}`,
    name: `${model.name} with ${loraName ?? 'a LoRA'}`,
    bytes: model.weightsBytes,
  };
  return { outputs, workingBytes: model.weightsBytes, models: [patched] };
}

/** A merge passes the first model on; its merged copy of the weights is counted at the whole pipeline's. */
export function mergeMemory(first: ModelShape | undefined): NodeMemory {
  if (!first) return { outputs: [undefined], workingBytes: 0 };
  return {
    outputs: [first],
    workingBytes: 2 * first.weightsBytes,
    models: [{ key: `${first.key}|merge`, name: `${first.name} merged`, bytes: first.weightsBytes }],
  };
}
