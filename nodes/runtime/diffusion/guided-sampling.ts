import type { NodeContext, ProgressUpdate } from '../../contract/node-context.js';
import { runSession, type Feed } from '../onnx/session.js';
import { brownianNoiseSampler } from '../sampling/brownian-tree.js';
import type { NoiseChoice, SamplerChoice } from '../sampling/custom-sampling-types.js';
import { itemsNoise } from '../sampling/noise.js';
import { runSampler, samplerEntry } from '../sampling/samplers/registry.js';
import type { NoiseSampler } from '../sampling/samplers/sampler-run.js';
import { batchItemToRaster } from '../image/image-batch.js';
import { samplerBuffersFor } from './sampler-buffers.js';
import { decodeLatents } from './vae.js';
import { modelCallBudget, rowsPerCall } from './memory-profile.js';
import type { Conditioning, ConditioningEntry, DiffusionModel, Latent, Tensor4 } from './types.js';
import {
  activeAt,
  addOppositeArea,
  coversLatent,
  cropItem,
  resolveConditioning,
  WeightedSum,
  type LatentGrid,
  type ModelConds,
  type ResolvedCond,
} from './cond-batch.js';
import { denoiseMaskPlanes, inpaintConcat } from './inpaint-inputs.js';
import { sdxlTimeIds } from './sdxl-conditioning.js';
import { autoPreviewChoice, autoPreviewChoices, type AutoPreviewChoice } from './auto-preview.js';
import { cfgFunctionFor } from './cfg-function.js';
import { combineEstimates, evaluatedSets, guidedSets, type GuidedSet, type Guider } from './guider.js';
import { lendControls, NO_RESIDUAL_INPUTS } from './controlnet.js';
import { HintCache, residualFeeds } from './control-residuals.js';

/** Rows of the first UNet call of a sampling (a batch of one with CFG), before its time per row is known. */
const FIRST_CALL_ROWS = 2;
const CALL_TARGET_MS = 250;

/** What SamplerCustomAdvanced (and every sampler node through it) samples with. */
export interface GuidedSampleRequest {
  readonly guider: Guider;
  /** The initial noise (RandomNoise or DisableNoise). */
  readonly noise: NoiseChoice;
  /** The seed the sampler's own noise samplers draw from (ComfyUI's `seed` in extra_args: the noise's seed). */
  readonly samplerSeed: number;
  readonly sampler: SamplerChoice;
  readonly sigmas: readonly number[];
  readonly latent: Latent;
}

/** The sampled latent and ComfyUI's `denoised_output`: the last step's denoised estimate (or the output). */
export interface GuidedSampleResult {
  readonly output: Latent;
  readonly denoised: Latent;
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

function checkConditioning(conditioning: Conditioning, name: string, dim: number): void {
  if (conditioning.length === 0) throw new Error(`${name}: the conditioning is empty`);
  for (const entry of conditioning) {
    if (entry.dim !== dim)
      throw new Error(`${name}: conditionings differ in width (${entry.dim} vs ${dim}): were they made by one CLIP?`);
  }
}

/** One UNet input row: an item's window of the latent with what it is conditioned on, and where its estimate goes. */
interface UnetRow {
  readonly item: number;
  readonly cond: ResolvedCond;
  /** Where its estimate is added (absent on the one-entry-a-side path, which guides the raw outputs). */
  readonly target: WeightedSum | undefined;
  /** The window of x ([C, h, w]), unscaled. */
  readonly x: Float32Array;
  readonly concat: Float32Array | undefined;
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

/** Which items of a batch a latent's items are (its batch_index), so each gets that item's noise. */
export function latentItems(latent: Latent, batch: number): readonly number[] {
  return latent.batchIndex?.length === batch ? latent.batchIndex : [...Array(batch).keys()];
}

/** ComfyUI's NOISE.generate_noise: Inkgraph's seeded noise for those items (prepare_noise), or zeros. */
export function initialNoise(choice: NoiseChoice, items: readonly number[], itemSize: number): Float32Array {
  return choice.kind === 'random'
    ? itemsNoise(choice.seed, items, itemSize)
    : new Float32Array(items.length * itemSize);
}

/** ControlNets applied with the old ControlNetApply lent by the positive side to the others (process_conds). */
function withLentControls(sets: readonly GuidedSet[]): GuidedSet[] {
  const positive = sets.find((set) => set.promptType === 'positive');
  return sets.map((set) =>
    !positive || set === positive
      ? set
      : { ...set, conditioning: lendControls(positive.conditioning, set.conditioning) },
  );
}

/** A σ list a sampler can run: finite, not negative. */
function checkSigmas(sigmas: readonly number[]): void {
  const bad = sigmas.findIndex((sigma) => !Number.isFinite(sigma) || sigma < 0);
  if (bad >= 0) throw new Error(`sigmas: σ ${bad} is ${sigmas[bad]}; every σ must be a finite number ≥ 0`);
}

/**
 * Samples a latent as ComfyUI's CFGGuider.sample does: noise from Inkgraph's seeded generator (item i from seed and
 * i, or from the latent's batch_index), scaled to σ_0 (√(1 + σ_0²) from the top of the schedule); each of the
 * guider's conditionings run on its areas with its weights and timestep ranges and the estimates averaged
 * (calc_cond_batch), mixed by the guider (CFG, the model's RescaleCFG patch); ε, v, x0 or distilled prediction; the
 * latent's noise mask (KSamplerX0Inpaint) and the concat input of inpainting UNets; UNet calls batched to fit memory
 * and time; the sampler with its options; progress and a preview after every step.
 */
export async function sampleWithGuider(request: GuidedSampleRequest, ctx: NodeContext): Promise<GuidedSampleResult> {
  const { guider, sigmas } = request;
  const model = guider.model;
  const latent = latentForModel(request.latent, model);
  const carried = { ...request.latent, downscale: model.downscale };
  if (latent.channels !== model.latentChannels)
    throw new Error(`latent_image has ${latent.channels} channels but ${model.name} works on ${model.latentChannels}`);
  checkSigmas(sigmas);
  if (sigmas.length === 0) {
    const unchanged = { ...carried, samples: latent };
    return { output: unchanged, denoised: unchanged };
  }

  const { batch, channels, height, width } = latent;
  const grid: LatentGrid = { batch, height, width, cell: model.downscale };
  const itemSize = channels * height * width;
  const scale = model.scaleFactor;
  const sets = withLentControls(guidedSets(guider));
  const dim = sets[sets.length - 1]!.conditioning[0]?.dim ?? 0;
  for (const set of sets) checkConditioning(set.conditioning, set.name, dim);
  const concatChannels = model.unetInChannels - channels;
  if (concatChannels !== 0 && concatChannels !== channels + 1)
    throw new Error(
      `${model.name}'s UNet takes ${model.unetInChannels} channels, not ${channels} or ${2 * channels + 1}`,
    );

  const residualInputs = model.residualInputs;
  if (!residualInputs && sets.some((set) => set.conditioning.some((entry) => entry.control)))
    throw new Error(`cannot use a ControlNet with ${model.name}: ${NO_RESIDUAL_INPUTS}`);
  const hints = new HintCache();

  const { unet } = await model.pipeline.sessions(ctx.caches);
  const sigma0 = sigmas[0]!;
  const maxDenoise =
    Math.abs(sigma0 - model.sampling.sigmaMax) <= 1e-5 * model.sampling.sigmaMax || sigma0 > model.sampling.sigmaMax;
  const noiseScale = maxDenoise ? Math.sqrt(1 + sigma0 * sigma0) : sigma0;
  const items = latentItems(request.latent, batch);
  const noise = initialNoise(request.noise, items, itemSize);
  const scaledLatent = latent.data.map((value) => value * scale);
  const x = new Float32Array(batch * itemSize);
  for (let i = 0; i < x.length; i++) x[i] = scaledLatent[i]! + noise[i]! * noiseScale;

  // Conditioning resolved once (areas, masks, ranges); every set's areas get an opposite in every other set, in
  // ComfyUI's dict order (positive first), as process_conds pairs them.
  const sigmaAt = (index: number): number => model.sampling.sigmaAt(index);
  const resolved = sets.map((set) => resolveConditioning(set.conditioning, set.promptType, grid, sigmaAt));
  for (let k = resolved.length - 1; k >= 0; k--) {
    for (const cond of [...resolved[k]!])
      resolved.forEach((others, kk) => {
        if (kk !== k) addOppositeArea(others, cond);
      });
  }
  // LCM exports take the guidance scale as an embedding and run the positive alone.
  const guidance =
    model.timestepCondDim !== undefined
      ? guidanceEmbedding(guider.kind === 'cfg' ? guider.cfg : 1, model.timestepCondDim)
      : undefined;
  const cfgFunction = cfgFunctionFor(model, itemSize);

  const noiseMask = request.latent.noiseMask ? denoiseMaskPlanes(request.latent.noiseMask, grid) : undefined;
  // What the kept (unmasked) part is noised with at each σ: the initial noise, or ddim's own from seed + 1.
  const maskNoise =
    noiseMask && samplerEntry(request.sampler.name).separateInpaintNoise
      ? itemsNoise(request.samplerSeed + 1, items, itemSize)
      : noise;
  const concatByConds = new Map<ModelConds, Float32Array>();
  const concatOf = (conds: ModelConds): Float32Array => {
    let data = concatByConds.get(conds);
    if (!data) {
      const source = {
        concatLatent: conds.entry.concatLatent,
        mask: conds.entry.concatMask ?? request.latent.noiseMask,
      };
      data = inpaintConcat(source, scaledLatent, grid, channels, scale);
      concatByConds.set(conds, data);
    }
    return data;
  };

  // Contexts repeated to a call's token count, kept by entry so the buffers find them again by identity.
  const contexts = new Map<ConditioningEntry, Map<number, Float32Array>>();
  const contextOf = (entry: ConditioningEntry, tokens: number): Float32Array => {
    let byTokens = contexts.get(entry);
    if (!byTokens) contexts.set(entry, (byTokens = new Map<number, Float32Array>()));
    let data = byTokens.get(tokens);
    if (!data) byTokens.set(tokens, (data = repeatTo(entry, tokens)));
    return data;
  };

  // SDXL's added conditions per entry: the pooled embedding and the size (or aesthetic) time ids.
  const sizeConditioning = model.sizeConditioning;
  const addedByConds = new Map<ModelConds, { textEmbeds: Float32Array; timeIds: Float32Array }>();
  const addedOf = (conds: ModelConds): { textEmbeds: Float32Array; timeIds: Float32Array } | undefined => {
    if (!sizeConditioning) return undefined;
    let added = addedByConds.get(conds);
    if (!added) {
      const pooled = conds.entry.pooled;
      if (!pooled) throw new Error(`${conds.promptType}: ${model.name} is an SDXL model and needs a pooled embedding`);
      const pixels = { width: width * model.downscale, height: height * model.downscale };
      added = { textEmbeds: pooled, timeIds: sdxlTimeIds(sizeConditioning, conds.entry, pixels, conds.promptType) };
      addedByConds.set(conds, added);
    }
    return added;
  };

  const buffers = samplerBuffersFor(model.pipeline);
  const timestep = { data: buffers.timestep, dims: model.unetInputs.get('timestep')!.shape.length === 0 ? [] : [1] };
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
  let msPerRow: number | undefined;

  /** Runs rows of one window size in calls that fit memory (memory-profile.ts) and about CALL_TARGET_MS of work. */
  const evaluate = async (rows: readonly UnetRow[], sigma: number): Promise<Float32Array[]> => {
    const { height: h, width: w } = rows[0]!.cond.window;
    const rowSize = model.unetInChannels * h * w;
    const cIn = model.sampling.inputScale(sigma);
    timestep.data[0] = model.sampling.timestep(sigma);
    const memoryRows = rowsPerCall(
      model.unetCost,
      h * w,
      rows.length,
      model.maxBatch,
      modelCallBudget(ctx.memoryBudgetBytes),
    );
    const outputs: Float32Array[] = [];
    for (let start = 0; start < rows.length;) {
      const timedRows = msPerRow === undefined ? FIRST_CALL_ROWS : Math.floor(CALL_TARGET_MS / msPerRow);
      // One call takes one ControlNet chain (or none), as ComfyUI batches only conds with the same control.
      const control = rows[start]!.cond.model.entry.control;
      let sameControl = 1;
      while (start + sameControl < rows.length && rows[start + sameControl]!.cond.model.entry.control === control)
        sameControl++;
      const callSize = Math.max(1, Math.min(rows.length - start, memoryRows, timedRows, sameControl));
      const group = rows.slice(start, start + callSize);
      start += callSize;
      const sample = buffers.sample(group.length * rowSize);
      group.forEach((row, r) => {
        const offset = r * rowSize;
        for (let i = 0; i < row.x.length; i++) sample[offset + i] = row.x[i]! * cIn;
        if (row.concat) sample.set(row.concat, offset + row.x.length);
      });
      const tokens = group
        .map((row) => row.cond.model.entry.tokens)
        .reduce((a, b) => (a * b) / greatestCommonDivisor(a, b));
      const contextData = buffers.context(group.map((row) => contextOf(row.cond.model.entry, tokens)));
      const feeds: Record<string, Feed> = {
        sample: { data: sample, dims: [group.length, model.unetInChannels, h, w] },
        timestep,
        encoder_hidden_states: { data: contextData, dims: [group.length, tokens, dim] },
      };
      const added = group.map((row) => addedOf(row.cond.model));
      if (sizeConditioning) {
        const rowsOf = (pick: (value: { textEmbeds: Float32Array; timeIds: Float32Array }) => Float32Array): Feed => {
          const parts = added.map((value) => pick(value!));
          const data = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
          parts.forEach((part, r) => data.set(part, r * part.length));
          return { data, dims: [group.length, parts[0]!.length] };
        };
        feeds.text_embeds = rowsOf((value) => value.textEmbeds);
        feeds.time_ids = rowsOf((value) => value.timeIds);
      }
      if (guidance)
        feeds.timestep_cond = { data: guidanceRows(guidance, group.length), dims: [group.length, guidance.length] };
      if (residualInputs) {
        const latentSize = channels * h * w;
        // A ControlNet sees the latent channels only (an inpainting UNet's concat input is not its).
        let controlSample = sample;
        if (rowSize !== latentSize) {
          controlSample = new Float32Array(group.length * latentSize);
          for (let r = 0; r < group.length; r++)
            controlSample.set(sample.subarray(r * rowSize, r * rowSize + latentSize), r * latentSize);
        }
        Object.assign(
          feeds,
          await residualFeeds(
            residualInputs,
            control,
            {
              sample: controlSample,
              rows: group.length,
              channels,
              height: h,
              width: w,
              items: group.map((row) => row.item),
              timestep,
              context: feeds.encoder_hidden_states!,
              sigma,
              cell: model.downscale,
            },
            sigmaAt,
            hints,
            ctx.caches,
          ),
        );
      }
      const callStarted = performance.now();
      const result = await runSession(unet, feeds, ['out_sample']);
      msPerRow = Math.max(1e-3, (performance.now() - callStarted) / group.length);
      const output = result.out_sample;
      if (!output) throw new Error('the UNet returned no out_sample');
      const outSize = channels * h * w;
      for (let r = 0; r < group.length; r++) outputs.push(output.data.subarray(r * outSize, (r + 1) * outSize));
      ctx.throwIfInterrupted();
    }
    return outputs;
  };

  const rowsOf = (conds: readonly ResolvedCond[], current: Float32Array, target: WeightedSum | undefined): UnetRow[] =>
    conds.flatMap((cond) => {
      const concat = concatChannels > 0 ? concatOf(cond.model) : undefined;
      return Array.from({ length: batch }, (_, item) => ({
        item,
        cond,
        target,
        x: cropItem(current, grid, channels, item, cond.window),
        concat: concat ? cropItem(concat, grid, channels + 1, item, cond.window) : undefined,
      }));
    });
  const wholeAtUnit = (conds: readonly ResolvedCond[]): boolean =>
    conds.length === 1 && conds[0]!.unit && coversLatent(conds[0]!.window, grid);

  /** Each evaluated set's denoised estimate at σ (zeros for the sets the cfg-1 optimisation skips). */
  const estimates = async (current: Float32Array, sigma: number, needUncond: boolean): Promise<Float32Array[]> => {
    // LCM exports guide inside the UNet: only the positive side runs.
    const evaluated = guidance ? sets.map((_, k) => k === sets.length - 1) : evaluatedSets(guider, needUncond);
    const active = resolved.map((conds, k) => (evaluated[k] ? activeAt(conds, sigma) : []));
    const out = sets.map(() => new Float32Array(current.length));
    if (active.every((conds, k) => !evaluated[k] || wholeAtUnit(conds))) {
      // One whole-latent entry a set, the common case: each average is that entry's estimate, without the sums.
      // Rows by item, then set, so a call holds one item's sets together.
      const rows = active.flatMap((conds, k) => rowsOf(conds, current, undefined).map((row) => ({ row, k })));
      rows.sort((a, b) => a.row.item - b.row.item);
      const outputs = await evaluate(
        rows.map(({ row }) => row),
        sigma,
      );
      rows.forEach(({ row, k }, r) => {
        const item = current.subarray(row.item * itemSize, (row.item + 1) * itemSize);
        const target = out[k]!.subarray(row.item * itemSize, (row.item + 1) * itemSize);
        model.sampling.denoised(item, outputs[r]!, sigma, target);
      });
      return out;
    }
    const sums = sets.map((_, k) => (evaluated[k] ? new WeightedSum(grid, channels) : undefined));
    const rows = active.flatMap((conds, k) => (sums[k] ? rowsOf(conds, current, sums[k]) : []));
    rows.sort((a, b) => a.item - b.item);
    // Rows are run grouped by window size (one call takes one size).
    const bySize = new Map<string, UnetRow[]>();
    for (const row of rows) {
      const key = `${row.cond.window.height}x${row.cond.window.width}`;
      let group = bySize.get(key);
      if (!group) bySize.set(key, (group = []));
      group.push(row);
    }
    for (const group of bySize.values()) {
      const outputs = await evaluate(group, sigma);
      group.forEach((row, r) => {
        const denoised = model.sampling.denoised(row.x, outputs[r]!, sigma);
        const mult = row.cond.mult[row.item % row.cond.mult.length]!;
        row.target!.add(row.item, row.cond.window, denoised, mult, row.cond.unit);
      });
    }
    return sums.map((sum, k) => sum?.result() ?? out[k]!);
  };

  const guided = async (
    current: Float32Array,
    sigma: number,
    needUncond: boolean,
  ): Promise<{ denoised: Float32Array; uncond: Float32Array }> => {
    const perSet = await estimates(current, sigma, needUncond);
    if (guidance) return { denoised: perSet[perSet.length - 1]!, uncond: new Float32Array(current.length) };
    return combineEstimates(guider, perSet, current, sigma, cfgFunction);
  };

  // KSamplerX0Inpaint: outside the noise mask the model sees (and returns) the original latent at this σ's noise.
  const denoise = async (
    current: Float32Array,
    sigma: number,
    needUncond: boolean,
  ): Promise<{ denoised: Float32Array; uncond: Float32Array }> => {
    if (!noiseMask) return guided(current, sigma, needUncond);
    const masked = new Float32Array(current.length);
    const plane = height * width;
    const maskAt = (i: number): number => noiseMask[Math.floor(i / itemSize)]![i % plane]!;
    for (let i = 0; i < current.length; i++) {
      const m = maskAt(i);
      masked[i] = current[i]! * m + (scaledLatent[i]! + maskNoise[i]! * sigma) * (1 - m);
    }
    const out = await guided(masked, sigma, needUncond);
    for (const estimate of [out.denoised, out.uncond]) {
      for (let i = 0; i < estimate.length; i++) {
        const m = maskAt(i);
        estimate[i] = estimate[i]! * m + scaledLatent[i]! * (1 - m);
      }
    }
    return out;
  };

  // `auto`: latent→RGB until the model's VAE decode has been timed against a step (on the second step), then the
  // cheaper-looking of the two for this model and size (auto-preview.ts); a model without latent→RGB factors decodes.
  const autoKey = `${height}x${width}`;
  let autoChoice: AutoPreviewChoice | undefined =
    ctx.previewMethod === 'auto' ? (model.latentRgb ? autoPreviewChoices(model).get(autoKey) : 'vae') : undefined;
  let previousStepAt: number | undefined;

  const decodePreview = async (denoised: Float32Array): Promise<Pick<ProgressUpdate, 'preview'>> => {
    const vaeLatent = Float32Array.from(denoised.subarray(0, itemSize), (value) => value / scale);
    const image = await decodeLatents(
      model.previewDecoder,
      { batch: 1, channels, height, width, data: vaeLatent },
      ctx.caches,
    );
    return { preview: batchItemToRaster(image, 0) };
  };

  const previews = async (
    step: number,
    total: number,
    denoised: Float32Array,
  ): Promise<Pick<ProgressUpdate, 'preview' | 'latentPreview'>> => {
    const now = performance.now();
    const stepMs = previousStepAt === undefined ? undefined : now - previousStepAt;
    previousStepAt = now;
    if (ctx.previewMethod === 'auto' && autoChoice === undefined && stepMs !== undefined) {
      const decoded = await decodePreview(denoised);
      autoChoice = autoPreviewChoice(performance.now() - now, stepMs);
      autoPreviewChoices(model).set(autoKey, autoChoice);
      return decoded;
    }
    const method = ctx.previewMethod === 'auto' ? (autoChoice ?? 'latent2rgb') : ctx.previewMethod;
    if (method === 'latent2rgb' && model.latentRgb) {
      // Item 0 only (a view of a batch would carry the whole buffer to the main thread), made RGB over there.
      const data = denoised.length === itemSize ? denoised : denoised.slice(0, itemSize);
      return { latentPreview: { channels, height, width, data, latentRgb: model.latentRgb } };
    }
    // `vae` decodes every --preview-every steps and the last; `auto` chose it because it is cheap: every step.
    if (
      method === 'vae' &&
      (ctx.previewMethod === 'auto' ||
        step % Math.max(1, ctx.previewEvery) === ctx.previewEvery - 1 ||
        step === total - 1)
    )
      return decodePreview(denoised);
    return {};
  };

  // The sampler's own noise: a fresh stream per call from the seed, and the SDE samplers' Brownian tree.
  let noiseCalls = 0;
  const freshNoise: NoiseSampler = () => itemsNoise(request.samplerSeed, items, itemSize, ++noiseCalls);
  let lastDenoised: Float32Array | undefined;
  const result = await runSampler(
    request.sampler.name,
    x,
    {
      sigmas,
      denoise: async (current, sigma) => (await denoise(current, sigma, false)).denoised,
      denoiseWithUncond: (current, sigma) => denoise(current, sigma, true),
      noise: freshNoise,
      brownianNoise: (sigmaMin, sigmaMax) =>
        brownianNoiseSampler(request.samplerSeed, items, itemSize, sigmaMin, sigmaMax),
      percentToSigma: (percent) => model.sampling.percentToSigma(percent),
      onStep: async (step, steps, denoised) => {
        lastDenoised = denoised;
        const preview = await previews(step, steps, denoised);
        // The sampler's own count: dpm_fast takes fewer, longer steps than the σ list has, and dpm_adaptive's count
        // is an estimate that reaches its steps at the end.
        ctx.progress({ value: step + 1, max: steps, ...preview });
      },
    },
    request.sampler.options,
  );
  const toLatent = (data: Float32Array): Latent => ({
    ...carried,
    samples: { batch, channels, height, width, data: data.map((value) => value / scale) } satisfies Tensor4,
  });
  const output = toLatent(result);
  return { output, denoised: lastDenoised ? toLatent(lastDenoised) : output };
}
