/**
 * What every sampler function receives, as ComfyUI's KSAMPLER hands k-diffusion's `sample_*` functions their model,
 * σ list, noise samplers and options. Samplers are pure apart from these callbacks: flat Float32Array latents in
 * (already noised to σ_0) and out.
 */

/** ComfyUI's noise_sampler(σ, σ_next): fresh noise for one use, the latent's length. */
export type NoiseSampler = (sigma: number, sigmaNext: number) => Float32Array;

/** One model evaluation seen by a CFG++ sampler: the guided estimate and the unconditional one. */
export interface GuidedEstimate {
  readonly denoised: Float32Array;
  readonly uncond: Float32Array;
}

export interface SamplerRun {
  /** The σ list, falling; usually ending at 0. */
  readonly sigmas: readonly number[];
  /** D(x, σ): the guided denoised estimate (CFG already applied, inpainting mask too). */
  readonly denoise: (x: Float32Array, sigma: number) => Promise<Float32Array>;
  /**
   * The guided estimate with the unconditional one, for the cfg_pp samplers (ComfyUI's post-CFG hook with
   * disable_cfg1_optimization: the unconditional side runs even at cfg 1).
   */
  readonly denoiseWithUncond: (x: Float32Array, sigma: number) => Promise<GuidedEstimate>;
  /** ComfyUI's default_noise_sampler: fresh N(0, 1) on each call. */
  readonly noise: NoiseSampler;
  /**
   * ComfyUI's BrownianTreeNoiseSampler over [σ_min, σ_max] (the SDE samplers' default): noise that depends only on
   * the interval asked for, so the same seed gives the same path at any step count.
   */
  readonly brownianNoise: (sigmaMin: number, sigmaMax: number) => NoiseSampler;
  /** The model's percent_to_sigma (0 → σ_max side, 1 → 0), for samplers that take start/end percents. */
  readonly percentToSigma: (percent: number) => number;
  /** After each step's first model evaluation: the step index, the step count and the denoised estimate. */
  readonly onStep?: (step: number, total: number, denoised: Float32Array) => void | Promise<void>;
}

/** A sampler's options (eta, s_noise, order, …), by ComfyUI's parameter names; absent ones take its defaults. */
export type SamplerOptions = Readonly<Record<string, number | string | boolean>>;

export type SamplerFunction = (x: Float32Array, run: SamplerRun, options: SamplerOptions) => Promise<Float32Array>;

export interface SamplerEntry {
  readonly run: SamplerFunction;
  /**
   * Its schedule is computed for n + 1 steps with the penultimate σ dropped (ComfyUI's KSampler.DISCARD_PENULTIMATE_SIGMA_SAMPLERS).
   */
  readonly discardPenultimate?: boolean;
  /**
   * ComfyUI's inpaint_options {random: true} (its "ddim"): outside the noise mask the model sees the original latent
   * noised with separate noise from seed + 1, not with the initial noise.
   */
  readonly separateInpaintNoise?: boolean;
  /** Model evaluations for a σ list, when not one per step (for progress and time estimates). */
  readonly modelCalls?: (sigmas: readonly number[]) => number;
}

/** A number option, or its default. */
export function numberOption(options: SamplerOptions, name: string, fallback: number): number {
  const value = options[name];
  return typeof value === 'number' ? value : fallback;
}

/** A string option, or its default. */
export function stringOption(options: SamplerOptions, name: string, fallback: string): string {
  const value = options[name];
  return typeof value === 'string' ? value : fallback;
}

/** A boolean option, or its default. */
export function booleanOption(options: SamplerOptions, name: string, fallback: boolean): boolean {
  const value = options[name];
  return typeof value === 'boolean' ? value : fallback;
}
