import type { NodeContext, ProgressUpdate } from '../../contract/node-context.js';
import { runSession, type Feed } from '../onnx/session.js';
import { batchNoise } from '../sampling/noise.js';
import { runSampler, type SamplerName } from '../sampling/samplers.js';
import { samplerSigmas, type SchedulerName } from '../sampling/schedulers.js';
import { batchItemToRaster } from '../image/image-batch.js';
import { samplerBuffersFor } from './sampler-buffers.js';
import { decodeLatents } from './vae.js';
import { modelCallBudget, rowsPerCall } from './memory-profile.js';
import type { Conditioning, ConditioningEntry, DiffusionModel, Latent, Tensor4 } from './types.js';

/** Rows of the first UNet call of a sampling (a batch of one with CFG), before its time per row is known. */
const FIRST_CALL_ROWS = 2;
const CALL_TARGET_MS = 250;

export interface SampleRequest {
  readonly model: DiffusionModel;
  readonly positive: Conditioning;
  readonly negative: Conditioning;
  readonly latent: Latent;
  readonly seed: number;
  readonly steps: number;
  readonly cfg: number;
  readonly sampler: SamplerName;
  readonly scheduler: SchedulerName;
  readonly denoise: number;
  readonly addNoise: boolean;
  readonly startStep?: number;
  readonly endStep?: number;
  readonly forceFullDenoise?: boolean;
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/** Repeats an entry's embeddings to `tokens` (a multiple of its length), as ComfyUI batches conds of unequal length. */
function repeatTo(entry: ConditioningEntry, tokens: number): Float32Array {
  if (entry.tokens === tokens) return entry.embeddings;
  const out = new Float32Array(tokens * entry.dim);
  for (let offset = 0; offset < out.length; offset += entry.embeddings.length) out.set(entry.embeddings, offset);
  return out;
}

function firstEntry(conditioning: Conditioning, name: string): ConditioningEntry {
  const entry = conditioning[0];
  if (!entry) throw new Error(`${name}: the conditioning is empty`);
  return entry;
}

/** diffusers' LCM guidance embedding for w = cfg − 1. */
export function guidanceEmbedding(cfg: number, dim: number): Float32Array {
  const w = (cfg - 1) * 1000;
  const half = dim / 2;
  const out = new Float32Array(dim);
  for (let k = 0; k < half; k++) {
    const frequency = Math.exp((-k * Math.log(10000)) / (half - 1));
    out[k] = Math.sin(w * frequency);
    out[half + k] = Math.cos(w * frequency);
  }
  return out;
}

/**
 * Samples a latent as ComfyUI's KSampler does: noise from Inkgraph's seeded generator (item i from seed and i),
 * CFG with cond and uncond in one batched UNet call when the model takes it (two otherwise, none at cfg 1),
 * ε or v prediction, img2img `denoise`, start/end steps; progress and a preview after every step.
 */
/**
 * The latent to sample from, on the model's latent grid. An empty latent (all zeros, as EmptyLatentImage makes)
 * made for another cell size is re-made at the model's, so "64×64 pixels" means the same for every model.
 */
export function latentForModel(latent: Latent, model: Pick<DiffusionModel, 'name' | 'downscale'>): Tensor4 {
  const samples = latent.samples;
  const cell = latent.downscale ?? 8;
  if (cell === model.downscale) return samples;
  if (samples.data.some((value) => value !== 0)) {
    throw new Error(
      `latent_image has ${cell}-pixel latent cells but ${model.name} works on ${model.downscale}-pixel cells: encode the image with this model's VAE`,
    );
  }
  const height = Math.max(1, Math.round((samples.height * cell) / model.downscale));
  const width = Math.max(1, Math.round((samples.width * cell) / model.downscale));
  return { ...samples, height, width, data: new Float32Array(samples.batch * samples.channels * height * width) };
}

export async function sampleLatent(request: SampleRequest, ctx: NodeContext): Promise<Latent> {
  const { model } = request;
  const latent = latentForModel(request.latent, model);
  if (latent.channels !== model.latentChannels)
    throw new Error(`latent_image has ${latent.channels} channels but ${model.name} works on ${model.latentChannels}`);
  const sigmas = samplerSigmas({
    sampling: model.sampling,
    scheduler: request.scheduler,
    sampler: request.sampler,
    steps: request.steps,
    denoise: request.denoise,
    ...(request.startStep !== undefined ? { startStep: request.startStep } : {}),
    ...(request.endStep !== undefined ? { endStep: request.endStep } : {}),
    ...(request.forceFullDenoise !== undefined ? { forceFullDenoise: request.forceFullDenoise } : {}),
  });
  if (sigmas.length === 0) return { samples: latent, downscale: model.downscale };

  const { unet } = await model.pipeline.sessions(ctx.caches);
  const { batch, channels, height, width } = latent;
  const itemSize = channels * height * width;
  const scale = model.scaleFactor;
  const sigma0 = sigmas[0]!;
  const maxDenoise =
    Math.abs(sigma0 - model.sampling.sigmaMax) <= 1e-5 * model.sampling.sigmaMax || sigma0 > model.sampling.sigmaMax;
  const noiseScale = maxDenoise ? Math.sqrt(1 + sigma0 * sigma0) : sigma0;
  const noise = request.addNoise ? batchNoise(request.seed, batch, itemSize) : new Float32Array(batch * itemSize);
  const x = new Float32Array(batch * itemSize);
  for (let i = 0; i < x.length; i++) x[i] = latent.data[i]! * scale + noise[i]! * noiseScale;

  const positive = firstEntry(request.positive, 'positive');
  const negative = firstEntry(request.negative, 'negative');
  const useCfg = request.cfg !== 1 && model.timestepCondDim === undefined;
  const tokens = useCfg
    ? (positive.tokens * negative.tokens) / greatestCommonDivisor(positive.tokens, negative.tokens)
    : positive.tokens;
  if (useCfg && positive.dim !== negative.dim)
    throw new Error(`positive and negative conditionings differ in width (${positive.dim} vs ${negative.dim})`);
  const context = { cond: repeatTo(positive, tokens), uncond: useCfg ? repeatTo(negative, tokens) : undefined };
  const guidance =
    model.timestepCondDim !== undefined ? guidanceEmbedding(request.cfg, model.timestepCondDim) : undefined;

  // The UNet's inputs live in buffers kept with the model, from step to step and job to job (sampler-buffers.ts).
  const buffers = samplerBuffersFor(model);
  const timestep = { data: buffers.timestep, dims: model.unetInputs.get('timestep')!.shape.length === 0 ? [] : [1] };

  // LCM's guidance embedding, one row per call row: the same at every step, so built once per call size.
  const guidanceByRows = new Map<number, Float32Array>();
  const guidanceRows = (embedding: Float32Array, rows: number): Float32Array => {
    let data = guidanceByRows.get(rows);
    if (!data) {
      data = new Float32Array(rows * embedding.length);
      for (let r = 0; r < rows; r++) data.set(embedding, r * embedding.length);
      guidanceByRows.set(rows, data);
    }
    return data;
  };

  // Rows per UNet call: as many as fit the memory the estimate allowed (memory-profile.ts), and no more than about
  // CALL_TARGET_MS of work, so an interrupt waits for at most one short call (one call cannot be stopped).
  const memoryRows = rowsPerCall(
    model.unetCost,
    height * width,
    batch * 2,
    model.maxBatch,
    modelCallBudget(ctx.memoryBudgetBytes),
  );
  let msPerRow: number | undefined;

  /** Runs the UNet on `rows` (each: latent item, context) in calls that fit memory and time: its raw output per row. */
  const evaluate = async (
    rows: { latent: Float32Array; context: Float32Array }[],
    sigma: number,
  ): Promise<Float32Array[]> => {
    const cIn = model.sampling.inputScale(sigma);
    timestep.data[0] = model.sampling.timestep(sigma);
    const outputs: Float32Array[] = [];
    for (let start = 0; start < rows.length;) {
      const timedRows = msPerRow === undefined ? FIRST_CALL_ROWS : Math.floor(CALL_TARGET_MS / msPerRow);
      const callSize = Math.max(1, Math.min(rows.length - start, memoryRows, timedRows));
      const group = rows.slice(start, start + callSize);
      start += callSize;
      const sample = buffers.sample(group.length * itemSize);
      for (let r = 0; r < group.length; r++) {
        const latentRow = group[r]!.latent;
        const offset = r * itemSize;
        for (let i = 0; i < itemSize; i++) sample[offset + i] = latentRow[i]! * cIn;
      }
      const contextData = buffers.context(group.map((row) => row.context));
      const feeds: Record<string, Feed> = {
        sample: { data: sample, dims: [group.length, channels, height, width] },
        timestep,
        encoder_hidden_states: { data: contextData, dims: [group.length, tokens, positive.dim] },
      };
      if (guidance)
        feeds.timestep_cond = { data: guidanceRows(guidance, group.length), dims: [group.length, guidance.length] };
      const callStarted = performance.now();
      const result = await runSession(unet, feeds, ['out_sample']);
      msPerRow = Math.max(1e-3, (performance.now() - callStarted) / group.length);
      const output = result.out_sample;
      if (!output) throw new Error('the UNet returned no out_sample');
      for (let r = 0; r < group.length; r++) outputs.push(output.data.subarray(r * itemSize, (r + 1) * itemSize));
      ctx.throwIfInterrupted();
    }
    return outputs;
  };

  const denoise = async (current: Float32Array, sigma: number): Promise<Float32Array> => {
    const rows: { latent: Float32Array; context: Float32Array }[] = [];
    for (let b = 0; b < batch; b++) {
      const item = current.subarray(b * itemSize, (b + 1) * itemSize);
      if (context.uncond) rows.push({ latent: item, context: context.uncond });
      rows.push({ latent: item, context: context.cond });
    }
    const outputs = await evaluate(rows, sigma);
    const denoised = new Float32Array(current.length);
    for (let b = 0; b < batch; b++) {
      const item = current.subarray(b * itemSize, (b + 1) * itemSize);
      const target = denoised.subarray(b * itemSize, (b + 1) * itemSize);
      if (context.uncond)
        model.sampling.guidedDenoised(item, outputs[2 * b]!, outputs[2 * b + 1]!, request.cfg, sigma, target);
      else model.sampling.denoised(item, outputs[b]!, sigma, target);
    }
    return denoised;
  };

  const previews = async (
    step: number,
    total: number,
    denoised: Float32Array,
  ): Promise<Pick<ProgressUpdate, 'preview' | 'latentPreview'>> => {
    if (ctx.previewMethod === 'latent2rgb' && model.latentRgb) {
      // Item 0 only (a view of a batch would carry the whole buffer to the main thread), made RGB over there.
      const data = denoised.length === itemSize ? denoised : denoised.slice(0, itemSize);
      return { latentPreview: { channels, height, width, data, latentRgb: model.latentRgb } };
    }
    if (
      ctx.previewMethod === 'vae' &&
      (step % Math.max(1, ctx.previewEvery) === ctx.previewEvery - 1 || step === total - 1)
    ) {
      const vaeLatent = Float32Array.from(denoised.subarray(0, itemSize), (value) => value / scale);
      const image = await decodeLatents(
        model.previewDecoder,
        { batch: 1, channels, height, width, data: vaeLatent },
        ctx.caches,
      );
      return { preview: batchItemToRaster(image, 0) };
    }
    return {};
  };

  const result = await runSampler(request.sampler, x, {
    sigmas,
    denoise,
    noise: (step) => batchNoise(request.seed, batch, itemSize, step + 1),
    onStep: async (step, total, denoised) => {
      const preview = await previews(step, total, denoised);
      ctx.progress({ value: step + 1, max: total, ...preview });
    },
  });
  const out: Tensor4 = { batch, channels, height, width, data: result.map((value) => value / scale) };
  return { samples: out, downscale: model.downscale };
}
