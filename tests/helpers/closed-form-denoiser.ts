import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { NoiseSampler, SamplerRun } from '../../nodes/runtime/sampling/samplers/sampler-run.js';
import { testSamplerRun } from './sampler-run.js';

/**
 * The closed-form problem of tests/fixtures/sampler-vectors/closed_form.py in TypeScript: Gaussian data, whose ideal
 * denoiser is exact, guided as ComfyUI guides, and one stored stream of noise that every noise-sampler call takes
 * the next vector of. Reference vectors made by the make_*.py scripts are compared against runs set up here.
 */

const run = z.object({
  options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  x0: z.array(z.number()),
  steps: z.array(z.array(z.number())),
  out: z.array(z.number()),
  noise_used: z.number(),
  model_calls: z.number(),
});
export type ReferenceRun = z.infer<typeof run>;

const vectorsFile = z.object({
  made_by: z.string(),
  problem: z.object({
    s: z.array(z.number()),
    mu_c: z.array(z.number()),
    mu_u: z.array(z.number()),
    cfg: z.number(),
    noise: z.array(z.array(z.number())),
  }),
  schedules: z.record(z.string(), z.array(z.number())),
  runs: z.record(z.string(), z.record(z.string(), run)),
});
export type SamplerVectors = z.infer<typeof vectorsFile>;

export function readSamplerVectors(path: string): SamplerVectors {
  return vectorsFile.parse(JSON.parse(readFileSync(path, 'utf8')));
}

export interface ClosedFormRun {
  readonly run: SamplerRun;
  /** The denoised estimate at each onStep, in order. */
  readonly steps: Float32Array[];
  noiseUsed(): number;
  modelCalls(): number;
}

/** A SamplerRun on the vectors' problem and σ list, recording what the references recorded. */
export function closedFormRun(vectors: SamplerVectors, sigmas: readonly number[]): ClosedFormRun {
  const { s, mu_c: muC, mu_u: muU, cfg, noise } = vectors.problem;
  const exact = (x: Float32Array, sigma: number, mu: readonly number[]): Float32Array =>
    Float32Array.from(x, (v, j) => mu[j]! + (s[j]! ** 2 / (s[j]! ** 2 + sigma ** 2)) * (v - mu[j]!));
  let calls = 0;
  let used = 0;
  const steps: Float32Array[] = [];
  const guided = (x: Float32Array, sigma: number): { denoised: Float32Array; uncond: Float32Array } => {
    calls++;
    const cond = exact(x, sigma, muC);
    const uncond = exact(x, sigma, muU);
    return { denoised: Float32Array.from(cond, (c, j) => uncond[j]! + cfg * (c - uncond[j]!)), uncond };
  };
  const sampler: NoiseSampler = () => {
    const vector = noise[used++];
    if (!vector) throw new Error('the sampler used more noise vectors than the reference stores');
    return Float32Array.from(vector);
  };
  return {
    run: testSamplerRun({
      sigmas,
      denoise: (x, sigma) => Promise.resolve(guided(x, sigma).denoised),
      denoiseWithUncond: (x, sigma) => Promise.resolve(guided(x, sigma)),
      noise: sampler,
      brownianNoise: () => sampler,
      onStep: (_step, _total, denoised) => void steps.push(Float32Array.from(denoised)),
    }),
    steps,
    noiseUsed: () => used,
    modelCalls: () => calls,
  };
}
