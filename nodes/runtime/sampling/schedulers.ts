import type { ModelSampling } from './model-sampling.js';
import { discardsPenultimateSigma } from './samplers/registry.js';

/** σ schedules, as ComfyUI's SCHEDULER_HANDLERS compute them: n sigmas then a final 0. Pure. */

export const schedulerNames = [
  'simple',
  'sgm_uniform',
  'karras',
  'exponential',
  'ddim_uniform',
  'normal',
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

function exponentialSigmas(steps: number, sigmaMin: number, sigmaMax: number): number[] {
  return [...linspace(Math.log(sigmaMax), Math.log(sigmaMin), steps).map(Math.exp), 0];
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
