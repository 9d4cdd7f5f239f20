/**
 * The discrete noise schedule of an SD-style model and its σ ↔ t mapping (ComfyUI's ModelSamplingDiscrete),
 * plus the distilled (LCM) variant. Pure.
 */

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
/** ε, v, x0 (the model predicts the clean latent) and img_to_img (x0, fed the latent unscaled). */
export type PredictionType = 'epsilon' | 'v_prediction' | 'x0' | 'img_to_img';

export interface ScheduleConfig {
  readonly betaStart: number;
  readonly betaEnd: number;
  readonly betaSchedule: BetaSchedule;
  readonly numTrainTimesteps: number;
  readonly trainedBetas?: readonly number[];
}

export const SD_SCHEDULE: ScheduleConfig = {
  betaStart: 0.00085,
  betaEnd: 0.012,
  betaSchedule: 'scaled_linear',
  numTrainTimesteps: 1000,
};

export function makeBetas(config: ScheduleConfig): Float64Array {
  const n = config.numTrainTimesteps;
  if (config.trainedBetas) return Float64Array.from(config.trainedBetas);
  const betas = new Float64Array(n);
  if (config.betaSchedule === 'scaled_linear') {
    const a = Math.sqrt(config.betaStart);
    const b = Math.sqrt(config.betaEnd);
    for (let i = 0; i < n; i++) betas[i] = (a + ((b - a) * i) / (n - 1)) ** 2;
  } else if (config.betaSchedule === 'linear') {
    for (let i = 0; i < n; i++) betas[i] = config.betaStart + ((config.betaEnd - config.betaStart) * i) / (n - 1);
  } else {
    const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (let i = 0; i < n; i++) betas[i] = Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), 0.999);
  }
  return betas;
}

/**
 * ComfyUI's rescale_zero_terminal_snr_sigmas: √ᾱ shifted so the last timestep's is 0 and scaled so the first keeps
 * its value; the last ᾱ is then set to 4.897e-8 (not 0), so σ_max stays finite.
 */
export function rescaleZeroTerminalSnr(sigmas: Float64Array): Float64Array {
  const root = sigmas.map((sigma) => Math.sqrt(1 / (sigma * sigma + 1)));
  const first = root[0]!;
  const last = root[root.length - 1]!;
  const alphasBar = root.map((value) => ((value - last) * first) / (first - last)).map((value) => value * value);
  alphasBar[alphasBar.length - 1] = 4.8973451890853435e-8;
  return alphasBar.map((alpha) => Math.sqrt((1 - alpha) / alpha));
}

/** σ_t for each training timestep t, with log σ for the mapping back. */
export class ModelSampling {
  readonly sigmas: Float64Array;
  readonly logSigmas: Float64Array;
  readonly alphasCumprod: Float64Array;
  /** The training timestep of each table entry (t itself, or idx·20+19 for the distilled table). */
  readonly timesteps: Float64Array;

  constructor(
    readonly config: ScheduleConfig,
    readonly prediction: PredictionType = 'epsilon',
    /** LCM: keep every `distilledStride`-th entry and apply the consistency-model boundary conditions. */
    readonly distilledStride: number | undefined = undefined,
    /** ModelSamplingDiscrete's zsnr: the schedule rescaled to zero terminal SNR (Lin et al. 2023). */
    readonly zeroTerminalSnr = false,
  ) {
    const betas = makeBetas(config);
    const alphas = new Float64Array(betas.length);
    let product = 1;
    for (let i = 0; i < betas.length; i++) {
      product *= 1 - betas[i]!;
      alphas[i] = product;
    }
    let indices = Array.from({ length: betas.length }, (_, i) => i);
    if (distilledStride !== undefined) {
      const count = Math.floor(betas.length / distilledStride);
      indices = Array.from({ length: count }, (_, i) => i * distilledStride + distilledStride - 1);
    }
    const sigmas = Float64Array.from(indices, (i) => Math.sqrt((1 - alphas[i]!) / alphas[i]!));
    this.sigmas = zeroTerminalSnr ? rescaleZeroTerminalSnr(sigmas) : sigmas;
    this.alphasCumprod = this.sigmas.map((sigma) => 1 / (sigma * sigma + 1));
    this.logSigmas = this.sigmas.map((sigma) => Math.log(sigma));
    this.timesteps = Float64Array.from(indices);
  }

  get sigmaMin(): number {
    return this.sigmas[0]!;
  }

  get sigmaMax(): number {
    return this.sigmas[this.sigmas.length - 1]!;
  }

  /**
   * The table index nearest in log σ (ComfyUI's `timestep(σ)`: the first index of least distance). The table rises
   * with the index, so a binary search finds the two neighbours of log σ; called once per model call.
   */
  indexOf(sigma: number): number {
    const log = Math.log(sigma);
    const table = this.logSigmas;
    let low = 0;
    let high = table.length - 1;
    if (!(log > table[low]!)) return low;
    if (!(log < table[high]!)) return high;
    // Invariant: table[low] < log < table[high].
    while (high - low > 1) {
      const middle = (low + high) >> 1;
      if (table[middle]! < log) low = middle;
      else high = middle;
    }
    // table[high] may equal log; a tie between the neighbours goes to the lower index, as argmin's first match does.
    return log - table[low]! <= table[high]! - log ? low : high;
  }

  /** The UNet timestep for σ: the training timestep of the nearest table entry. */
  timestep(sigma: number): number {
    return this.timesteps[this.indexOf(sigma)]!;
  }

  /** σ at a fractional table index: linear in log σ between neighbours (ComfyUI's `sigma(t)`). */
  sigmaAt(index: number): number {
    const clamped = Math.min(Math.max(index, 0), this.sigmas.length - 1);
    const low = Math.floor(clamped);
    const high = Math.ceil(clamped);
    const w = clamped - low;
    return Math.exp((1 - w) * this.logSigmas[low]! + w * this.logSigmas[high]!);
  }

  /**
   * ComfyUI's percent_to_sigma: the σ a fraction of the way through sampling (0 → beyond σ_max, 1 → 0), through the
   * timestep (1 − percent)·999.
   */
  percentToSigma(percent: number): number {
    if (percent <= 0) return 999999999.9;
    if (percent >= 1) return 0;
    return this.sigmaAt((1 - percent) * 999);
  }

  /** c_in: the UNet sees x/√(σ²+1) (img_to_img models see x as it is). */
  inputScale(sigma: number): number {
    if (this.prediction === 'img_to_img') return 1;
    return 1 / Math.sqrt(sigma * sigma + 1);
  }

  /** The denoised estimate from the model's raw output, for ε, v and the distilled (LCM) parameterisations. */
  denoised(
    x: Float32Array,
    output: Float32Array,
    sigma: number,
    out: Float32Array = new Float32Array(x.length),
  ): Float32Array {
    if (this.prediction === 'x0' || this.prediction === 'img_to_img') {
      out.set(output.subarray(0, x.length));
      return out;
    }
    if (this.prediction === 'v_prediction') {
      const a = 1 / (sigma * sigma + 1);
      const b = sigma / Math.sqrt(sigma * sigma + 1);
      for (let i = 0; i < x.length; i++) out[i] = x[i]! * a - output[i]! * b;
      return out;
    }
    if (this.distilledStride !== undefined) {
      const t = this.timestep(sigma) / 0.1;
      const cSkip = 0.25 / (t * t + 0.25);
      const cOut = t / Math.sqrt(t * t + 0.25);
      for (let i = 0; i < x.length; i++) out[i] = cOut * (x[i]! - output[i]! * sigma) + cSkip * x[i]!;
      return out;
    }
    for (let i = 0; i < x.length; i++) out[i] = x[i]! - output[i]! * sigma;
    return out;
  }
}
