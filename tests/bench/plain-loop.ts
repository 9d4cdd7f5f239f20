/**
 * The limit a server run is measured against: the session.run calls ComfyUI's default text-to-image graph makes
 * (2 text encodes, one CFG-batched UNet call per euler step, 1 VAE decode), with the same shapes and dtypes, made
 * straight through onnxruntime-node with the session options under test, and nothing else: fixed token ids, a few
 * lines of Euler, no engine, previews, PNG, store or HTTP.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { residualLevels, residualNames } from '../../nodes/runtime/diffusion/controlnet.js';

export interface PlainOptionSet {
  readonly label: string;
  readonly options: ort.InferenceSession.SessionOptions;
  /** The UNet's own options, where they differ from the other models'. */
  readonly unetOptions?: ort.InferenceSession.SessionOptions;
}

const spinning = (on: boolean): Record<string, unknown> => ({
  session: { intra_op: { allow_spinning: on ? '1' : '0' } },
});

/**
 * The session options tried: ORT's defaults, one intra-op thread, and every core with and without spinning, each for
 * every model; and every core spinning for the UNet alone with one thread for the rest (one spinning pool, as the
 * server runs the shipped model).
 */
export function plainOptionSets(cores = availableParallelism()): PlainOptionSet[] {
  return [
    { label: 'ORT defaults', options: {} },
    { label: '1 thread', options: { intraOpNumThreads: 1 } },
    { label: `${cores} threads, spinning`, options: { intraOpNumThreads: cores, extra: spinning(true) } },
    { label: `${cores} threads, no spinning`, options: { intraOpNumThreads: cores, extra: spinning(false) } },
    {
      label: `UNet on ${cores} threads spinning, the rest on 1`,
      options: { intraOpNumThreads: 1 },
      unetOptions: { intraOpNumThreads: cores, extra: spinning(true) },
    },
  ];
}

export interface PlainShape {
  /** Image side in pixels. */
  readonly size: number;
  readonly steps: number;
  readonly cfg: number;
}

export interface PlainRun {
  /** The whole run, first text encode to VAE output. */
  readonly totalMs: number;
  /** The sum of the session.run calls. */
  readonly sessionRunMs: number;
  readonly calls: number;
  /** Each UNet call. */
  readonly unetMs: readonly number[];
  /** From the start to the end of the first euler step (the earliest a preview could be made). */
  readonly firstStepMs: number;
  /** Resident memory at the end of the run less at its start: on a session's first run, what one image allocates. */
  readonly rssGrowthBytes: number;
}

type Elements = Float32Array | Int32Array | BigInt64Array;

function readJson(path: string): Record<string, unknown> {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
}

const numberOr = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);

/** Zero residuals for a UNet with ControlNet inputs (none for a plain export), for a batch of 2 at side² cells. */
function zeroResiduals(
  unet: ort.InferenceSession,
  config: Record<string, unknown>,
  side: number,
): Record<string, ort.Tensor> {
  const standard = new Set(['sample', 'timestep', 'encoder_hidden_states']);
  const extra = unet.inputMetadata.filter((input) => !standard.has(input.name));
  const names = residualNames(extra.map((input) => input.name));
  if (!names.mid || names.down.length === 0) return {};
  const blocks = Array.isArray(config.block_out_channels) ? config.block_out_channels.length : undefined;
  const perBlock = typeof config.layers_per_block === 'number' ? config.layers_per_block : undefined;
  const levels = residualLevels(names.down.length, { blocks, layersPerBlock: perBlock });
  const out: Record<string, ort.Tensor> = {};
  [...names.down, names.mid].forEach((name, i) => {
    const meta = extra.find((input) => input.name === name);
    const channels = meta?.isTensor ? meta.shape[1] : undefined;
    if (typeof channels !== 'number') throw new Error(`the plain loop needs a fixed channel count for ${name}`);
    const cells = Math.ceil(side / 2 ** levels[i]!);
    out[name] = new ort.Tensor(new Float32Array(2 * channels * cells * cells), [2, channels, cells, cells]);
  });
  return out;
}

/** A tensor of the dtype a session declares for `name`, from float values (integers rounded). */
function tensorFor(session: ort.InferenceSession, name: string, values: ArrayLike<number>, dims: number[]): ort.Tensor {
  const meta = session.inputMetadata.find((input) => input.name === name);
  if (!meta?.isTensor) throw new Error(`the model has no tensor input ${name}`);
  let data: Elements;
  if (meta.type === 'float32') data = Float32Array.from(values);
  else if (meta.type === 'int32') data = Int32Array.from(values, Math.round);
  else if (meta.type === 'int64') data = BigInt64Array.from(Array.from(values, (v) => BigInt(Math.round(v))));
  else throw new Error(`the plain loop feeds float32, int32 and int64, not ${meta.type} (${name})`);
  return new ort.Tensor(data, meta.shape.length === 0 ? [] : dims);
}

/** ComfyUI's discrete σ table for a scaled-linear schedule, and its "normal" scheduler over it. */
function normalSchedule(config: Record<string, unknown>, steps: number): { sigmas: number[]; timesteps: number[] } {
  const train = numberOr(config.num_train_timesteps, 1000);
  const start = Math.sqrt(numberOr(config.beta_start, 0.00085));
  const end = Math.sqrt(numberOr(config.beta_end, 0.012));
  const logSigmas: number[] = [];
  let alphaProduct = 1;
  for (let t = 0; t < train; t++) {
    const beta = (start + ((end - start) * t) / (train - 1)) ** 2;
    alphaProduct *= 1 - beta;
    logSigmas.push(0.5 * Math.log((1 - alphaProduct) / alphaProduct));
  }
  const timesteps = Array.from({ length: steps }, (_, i) => ((train - 1) * (steps - 1 - i)) / (steps - 1));
  const sigmaAt = (t: number): number => {
    const low = Math.floor(t);
    const high = Math.min(train - 1, low + 1);
    return Math.exp(logSigmas[low]! + (t - low) * (logSigmas[high]! - logSigmas[low]!));
  };
  return { sigmas: [...timesteps.map(sigmaAt), 0], timesteps };
}

/** A seeded standard normal stream (mulberry32 and Box–Muller): the noise's cost, not ComfyUI's values. */
function gaussian(seed: number, length: number): Float32Array {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

export class PlainLoop {
  private constructor(
    private readonly textEncoder: ort.InferenceSession,
    private readonly unet: ort.InferenceSession,
    private readonly vaeDecoder: ort.InferenceSession,
    private readonly schedule: { sigmas: number[]; timesteps: number[] },
    private readonly latent: { channels: number; height: number; width: number; scale: number },
    private readonly shape: PlainShape,
    /** A ControlNet-ready UNet's residual inputs (the embedded model's): zeros, as a run without a ControlNet feeds. */
    private readonly residuals: Record<string, ort.Tensor>,
  ) {}

  /** Opens a diffusers ONNX pipeline folder's text encoder, UNet and VAE decoder with an option set. */
  static async open(dir: string, shape: PlainShape, set: PlainOptionSet): Promise<PlainLoop> {
    const open = (part: string): Promise<ort.InferenceSession> =>
      ort.InferenceSession.create(
        join(dir, part, 'model.onnx'),
        part === 'unet' ? (set.unetOptions ?? set.options) : set.options,
      );
    const unet = await open('unet');
    for (const name of ['sample', 'encoder_hidden_states']) {
      const meta = unet.inputMetadata.find((input) => input.name === name);
      if (!meta?.isTensor || meta.type !== 'float32')
        throw new Error(`the plain loop feeds the UNet's ${name} as float32`);
    }
    const vae = readJson(join(dir, 'vae_decoder', 'config.json'));
    const cell = numberOr(vae.downscale_factor, 8);
    const residuals = zeroResiduals(unet, readJson(join(dir, 'unet', 'config.json')), shape.size / cell);
    return new PlainLoop(
      await open('text_encoder'),
      unet,
      await open('vae_decoder'),
      normalSchedule(readJson(join(dir, 'scheduler', 'scheduler_config.json')), shape.steps),
      {
        channels: numberOr(vae.latent_channels, 4),
        height: shape.size / cell,
        width: shape.size / cell,
        scale: numberOr(vae.scaling_factor, 0.18215),
      },
      shape,
      residuals,
    );
  }

  async release(): Promise<void> {
    for (const session of [this.textEncoder, this.unet, this.vaeDecoder]) await session.release();
  }

  /** One image: negative and positive encoded (fixed ids that differ by run), 20 CFG euler steps, a VAE decode. */
  async run(seed: number): Promise<PlainRun> {
    const { channels, height, width, scale } = this.latent;
    const { sigmas, timesteps } = this.schedule;
    const rssAtStart = process.memoryUsage.rss();
    const started = performance.now();
    let sessionRunMs = 0;
    let calls = 0;
    const timed = async (
      session: ort.InferenceSession,
      feeds: Record<string, ort.Tensor>,
      outputs?: string[],
    ): Promise<ort.InferenceSession.OnnxValueMapType> => {
      const callStarted = performance.now();
      const result = outputs ? await session.run(feeds, outputs) : await session.run(feeds);
      sessionRunMs += performance.now() - callStarted;
      calls += 1;
      return result;
    };

    const encode = async (first: number): Promise<Float32Array> => {
      const ids = Array.from({ length: 77 }, (_, i) => (i < 8 ? first + i : 0));
      const out = await timed(this.textEncoder, { input_ids: tensorFor(this.textEncoder, 'input_ids', ids, [1, 77]) });
      const hidden = out.last_hidden_state;
      if (!hidden) throw new Error('the text encoder returned no last_hidden_state');
      return hidden.data as Float32Array;
    };
    // ComfyUI's row order: negative, then positive.
    const negative = await encode(1 + (seed % 7));
    const positive = await encode(10 + (seed % 11));
    const dim = negative.length / 77;
    const context = new Float32Array(2 * negative.length);
    context.set(negative);
    context.set(positive, negative.length);
    const contextTensor = tensorFor(this.unet, 'encoder_hidden_states', context, [2, 77, dim]);

    const item = channels * height * width;
    const x = gaussian(seed, item);
    const sigma0 = sigmas[0]!;
    for (let i = 0; i < item; i++) x[i]! *= Math.sqrt(1 + sigma0 * sigma0);
    const sample = new Float32Array(2 * item);
    const sampleTensor = new ort.Tensor(sample, [2, channels, height, width]);
    const unetMs: number[] = [];
    let firstStepMs = 0;
    for (let step = 0; step < timesteps.length; step++) {
      const sigma = sigmas[step]!;
      const cIn = 1 / Math.sqrt(sigma * sigma + 1);
      for (let i = 0; i < item; i++) sample[i] = sample[item + i] = x[i]! * cIn;
      const callStarted = performance.now();
      const out = await timed(
        this.unet,
        {
          sample: sampleTensor,
          timestep: tensorFor(this.unet, 'timestep', [timesteps[step]!], [1]),
          encoder_hidden_states: contextTensor,
          ...this.residuals,
        },
        ['out_sample'],
      );
      unetMs.push(performance.now() - callStarted);
      const eps = out.out_sample?.data;
      if (!(eps instanceof Float32Array)) throw new Error('the UNet returned no float32 out_sample');
      // ε-prediction with CFG, then the Euler step: x += (x − denoised) / σ · (σ_next − σ).
      const ratio = (sigmas[step + 1]! - sigma) / sigma;
      for (let i = 0; i < item; i++) {
        const uncond = x[i]! - eps[i]! * sigma;
        const denoised = uncond + this.shape.cfg * (x[i]! - eps[item + i]! * sigma - uncond);
        x[i]! += (x[i]! - denoised) * ratio;
      }
      if (step === 0) firstStepMs = performance.now() - started;
    }
    for (let i = 0; i < item; i++) x[i]! /= scale;
    const image = await timed(this.vaeDecoder, { latent_sample: new ort.Tensor(x, [1, channels, height, width]) });
    if (!image.sample) throw new Error('the VAE decoder returned no sample');
    const totalMs = performance.now() - started;
    return {
      totalMs,
      sessionRunMs,
      calls,
      unetMs,
      firstStepMs,
      rssGrowthBytes: process.memoryUsage.rss() - rssAtStart,
    };
  }
}
