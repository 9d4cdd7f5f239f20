import { betaQuantile } from './beta-distribution.js';
import type { ModelSampling } from './model-sampling.js';
import { roundHalfEven } from './round-half-even.js';
import { discardsPenultimateSigma } from './samplers/registry.js';

/** σ schedules, as ComfyUI's SCHEDULER_HANDLERS compute them: n sigmas then a final 0. Pure. */

/** ComfyUI's SCHEDULER_NAMES in its order (the first is a scheduler combo's default), then Inkgraph's `lcm`. */
export const schedulerNames = [
  'simple',
  'sgm_uniform',
  'karras',
  'exponential',
  'ddim_uniform',
  'beta',
  'normal',
  'linear_quadratic',
  'kl_optimal',
  'lcm',
] as const;
export type SchedulerName = (typeof schedulerNames)[number];

function linspace(start: number, end: number, count: number): number[] {
  if (count === 1) return [start];
  return Array.from({ length: count }, (_, i) => start + ((end - start) * i) / (count - 1));
}

function normalScheduler(sampling: ModelSampling, steps: number, sgm: boolean): number[] {
  const start = sampling.indexOf(sampling.sigmaMax);
  const end = sampling.indexOf(sampling.sigmaMin);
  let appendZero = true;
  let points: number[];
  if (sgm) points = linspace(start, end, steps + 1).slice(0, -1);
  else {
    let count = steps;
    if (Math.abs(sampling.sigmaAt(end)) < 1e-5) {
      count += 1;
      appendZero = false;
    }
    points = linspace(start, end, count);
  }
  const sigmas = points.map((index) => sampling.sigmaAt(index));
  return appendZero ? [...sigmas, 0] : sigmas;
}

export function karrasSigmas(steps: number, sigmaMin: number, sigmaMax: number, rho = 7): number[] {
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  return [...linspace(0, 1, steps).map((ramp) => (maxInv + ramp * (minInv - maxInv)) ** rho), 0];
}

export function exponentialSigmas(steps: number, sigmaMin: number, sigmaMax: number): number[] {
  return [...linspace(Math.log(sigmaMax), Math.log(sigmaMin), steps).map(Math.exp), 0];
}

/** k-diffusion's polyexponential schedule: log σ falls from σ_max to σ_min along ramp^ρ. */
export function polyexponentialSigmas(steps: number, sigmaMin: number, sigmaMax: number, rho = 1): number[] {
  const logMin = Math.log(sigmaMin);
  const span = Math.log(sigmaMax) - logMin;
  return [...linspace(1, 0, steps).map((ramp) => Math.exp(ramp ** rho * span + logMin)), 0];
}

/** k-diffusion's continuous variance-preserving schedule, t from 1 down to eps_s. */
export function vpSigmas(steps: number, betaD = 19.9, betaMin = 0.1, epsS = 1e-3): number[] {
  return [...linspace(1, epsS, steps).map((t) => Math.sqrt(Math.expm1((betaD * t * t) / 2 + betaMin * t))), 0];
}

/**
 * k-diffusion's Laplace schedule (Tiankai et al. 2024): log σ = μ − β·sign(½ − x)·log(1 − 2|½ − x| + 1e-5) at n evenly
 * spaced x in [0, 1], clamped to [σ_min, σ_max] (to σ_max where σ_min is above it, as torch.clamp does). Unlike the
 * other schedules it has no final 0, as in ComfyUI: the list is `steps` σ and a sampler ends at σ_min.
 */
export function laplaceSigmas(steps: number, sigmaMin: number, sigmaMax: number, mu = 0, beta = 0.5): number[] {
  return linspace(0, 1, steps).map((x) => {
    const sigma = Math.exp(mu - beta * Math.sign(0.5 - x) * Math.log(1 - 2 * Math.abs(0.5 - x) + 1e-5));
    return Math.min(Math.max(sigma, sigmaMin), sigmaMax);
  });
}

/**
 * The beta scheduler (arXiv 2407.12173): table entries at the Beta(α, β) quantiles of evenly spaced levels, each
 * entry once (neighbouring quantiles that round to one entry give one σ), then 0.
 */
export function betaSigmas(sampling: ModelSampling, steps: number, alpha = 0.6, beta = 0.6): number[] {
  const table = sampling.sigmas;
  const last = table.length - 1;
  const sigmas: number[] = [];
  let previous = -1;
  for (let i = 0; i < steps; i++) {
    // numpy's linspace(0, 1, steps, endpoint=False) is i·(1/steps); rint rounds halves to even.
    const index = roundHalfEven(betaQuantile(1 - i * (1 / steps), alpha, beta) * last);
    if (index !== previous) sigmas.push(table[index]!);
    previous = index;
  }
  return [...sigmas, 0];
}

/**
 * Mochi's linear-quadratic schedule, as a fraction of σ_max: the first half of the steps fall linearly to
 * `thresholdNoise`, the rest quadratically to 0.
 */
export function linearQuadraticSigmas(
  sigmaMax: number,
  steps: number,
  thresholdNoise = 0.025,
  linearSteps = Math.floor(steps / 2),
): number[] {
  if (steps === 1) return [sigmaMax, 0];
  const linear = Array.from({ length: linearSteps }, (_, i) => (i * thresholdNoise) / linearSteps);
  const stepDiff = linearSteps - thresholdNoise * steps;
  const quadraticSteps = steps - linearSteps;
  const quadraticCoef = stepDiff / (linearSteps * quadraticSteps ** 2);
  const linearCoef = thresholdNoise / linearSteps - (2 * stepDiff) / quadraticSteps ** 2;
  const constant = quadraticCoef * linearSteps ** 2;
  const quadratic = Array.from({ length: quadraticSteps }, (_, k) => {
    const i = linearSteps + k;
    return quadraticCoef * i * i + linearCoef * i + constant;
  });
  return [...linear, ...quadratic, 1].map((level) => (1 - level) * sigmaMax);
}

/**
 * The KL-optimal schedule (A1111 PR 15608): evenly spaced in arctan σ from σ_max to σ_min, then 0. One step is σ_max
 * (ComfyUI divides 0 by 0 there and gets NaN).
 */
export function klOptimalSigmas(steps: number, sigmaMin: number, sigmaMax: number): number[] {
  const atanMin = Math.atan(sigmaMin);
  const atanMax = Math.atan(sigmaMax);
  return [
    ...Array.from({ length: steps }, (_, i) => {
      const w = steps > 1 ? i / (steps - 1) : 0;
      return Math.tan(w * atanMin + (1 - w) * atanMax);
    }),
    0,
  ];
}

function simpleScheduler(sampling: ModelSampling, steps: number): number[] {
  const table = sampling.sigmas;
  const stride = table.length / steps;
  return [...Array.from({ length: steps }, (_, x) => table[table.length - 1 - Math.floor(x * stride)]!), 0];
}

function ddimScheduler(sampling: ModelSampling, steps: number): number[] {
  const table = sampling.sigmas;
  let count = steps;
  let sigmas: number[] = [0];
  if (Math.abs(table[1]!) < 1e-5) {
    count += 1;
    sigmas = [];
  }
  const stride = Math.max(Math.floor(table.length / count), 1);
  for (let x = 1; x < table.length; x += stride) sigmas.push(table[x]!);
  return sigmas.reverse();
}

/** diffusers' LCMScheduler timesteps (training timesteps, e.g. 4 steps of 50 → 999, 759, 499, 259). */
export function lcmTimesteps(steps: number, originalSteps = 50, trainSteps = 1000): number[] {
  const k = Math.floor(trainSteps / originalSteps);
  const origin = Array.from({ length: originalSteps }, (_, i) => (i + 1) * k - 1).reverse();
  return Array.from({ length: steps }, (_, i) => origin[Math.floor((i * originalSteps) / steps)]!);
}

/** σ for a training timestep, on a model's full (or distilled) table. */
function sigmaForTimestep(sampling: ModelSampling, timestep: number): number {
  let best = 0;
  for (let i = 0; i < sampling.timesteps.length; i++) {
    if (Math.abs(sampling.timesteps[i]! - timestep) < Math.abs(sampling.timesteps[best]! - timestep)) best = i;
  }
  return sampling.sigmas[best]!;
}

export function computeSigmas(sampling: ModelSampling, scheduler: SchedulerName, steps: number): number[] {
  if (steps <= 0) return [];
  switch (scheduler) {
    case 'normal':
      return normalScheduler(sampling, steps, false);
    case 'sgm_uniform':
      return normalScheduler(sampling, steps, true);
    case 'karras':
      return karrasSigmas(steps, sampling.sigmaMin, sampling.sigmaMax);
    case 'exponential':
      return exponentialSigmas(steps, sampling.sigmaMin, sampling.sigmaMax);
    case 'simple':
      return simpleScheduler(sampling, steps);
    case 'ddim_uniform':
      return ddimScheduler(sampling, steps);
    case 'beta':
      return betaSigmas(sampling, steps);
    case 'linear_quadratic':
      return linearQuadraticSigmas(sampling.sigmaMax, steps);
    case 'kl_optimal':
      return klOptimalSigmas(steps, sampling.sigmaMin, sampling.sigmaMax);
    case 'lcm':
      return [...lcmTimesteps(steps).map((t) => sigmaForTimestep(sampling, t)), 0];
  }
}

/**
 * The σ list a KSampler runs: `denoise` < 1 keeps the tail of a longer schedule (img2img); start/end steps
 * slice it; `forceFullDenoise` ends it at 0. As ComfyUI's KSampler.set_steps and sample.
 */
export function samplerSigmas(opts: {
  sampling: ModelSampling;
  scheduler: SchedulerName;
  sampler: string;
  steps: number;
  denoise: number;
  startStep?: number;
  endStep?: number;
  forceFullDenoise?: boolean;
}): number[] {
  const calculate = (steps: number): number[] => {
    if (!discardsPenultimateSigma(opts.sampler)) return computeSigmas(opts.sampling, opts.scheduler, steps);
    const sigmas = computeSigmas(opts.sampling, opts.scheduler, steps + 1);
    return [...sigmas.slice(0, -2), sigmas[sigmas.length - 1]!];
  };
  let sigmas: number[];
  if (opts.denoise > 0.9999) sigmas = calculate(opts.steps);
  else if (opts.denoise <= 0) sigmas = [];
  else sigmas = calculate(Math.floor(opts.steps / opts.denoise)).slice(-(opts.steps + 1));
  if (opts.endStep !== undefined && opts.endStep < sigmas.length - 1) {
    sigmas = sigmas.slice(0, opts.endStep + 1);
    if (opts.forceFullDenoise) sigmas[sigmas.length - 1] = 0;
  }
  if (opts.startStep !== undefined) {
    if (opts.startStep < sigmas.length - 1) sigmas = sigmas.slice(opts.startStep);
    else sigmas = [];
  }
  return sigmas;
}

/**
 * BasicScheduler's σ list: a schedule of steps/denoise steps, its last steps + 1 kept (ComfyUI's BasicScheduler, which
 * unlike KSampler never drops a penultimate σ); denoise 0 gives none.
 */
export function basicSchedulerSigmas(
  sampling: ModelSampling,
  scheduler: SchedulerName,
  steps: number,
  denoise: number,
): number[] {
  if (denoise <= 0) return [];
  const total = denoise < 1 ? Math.trunc(steps / denoise) : steps;
  return computeSigmas(sampling, scheduler, total).slice(-(steps + 1));
}

/** SDTurboScheduler: `steps` of the ten timesteps 999, 899, …, 99, starting 10·(1 − denoise) in, then 0. */
export function turboSigmas(sampling: ModelSampling, steps: number, denoise: number): number[] {
  const start = 10 - Math.trunc(10 * denoise);
  const timesteps = Array.from({ length: 10 }, (_, i) => 999 - 100 * i).slice(start, start + steps);
  return [...timesteps.map((t) => sigmaAtTimestep(sampling, t)), 0];
}

/** ComfyUI's `sigma(timestep)`: on a distilled table the timestep is first mapped to its fractional index. */
function sigmaAtTimestep(sampling: ModelSampling, timestep: number): number {
  const stride = sampling.distilledStride;
  return sampling.sigmaAt(stride === undefined ? timestep : (timestep - (stride - 1)) / stride);
}
