import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { z } from 'zod';
import { ModelSampling, SD_SCHEDULE } from '../../nodes/runtime/sampling/model-sampling.js';
import { isSamplerName, runSampler, type SamplerName } from '../../nodes/runtime/sampling/samplers/registry.js';
import { karrasSigmas } from '../../nodes/runtime/sampling/schedulers.js';
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

/** Each value within tolerance·(1 + |expected|), naming the first that is not. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: readonly number[],
  tolerance: number,
  what: string,
): void {
  expect(actual.length, what).toBe(expected.length);
  for (let j = 0; j < expected.length; j++) {
    const b = expected[j]!;
    expect(Math.abs(actual[j]! - b), `${what}[${j}]: ${actual[j]} vs ${b}`).toBeLessThanOrEqual(
      tolerance * (1 + Math.abs(b)),
    );
  }
}

/** A run key is a sampler name, or "name@variant" for a run with other options. */
export function samplerOfRun(key: string): SamplerName {
  const name = key.split('@')[0]!;
  if (!isSamplerName(name)) throw new Error(`${key}: no sampler ${name}`);
  return name;
}

/** Every stored run, by run key and schedule. */
export function referenceCases(vectors: SamplerVectors): { key: string; schedule: string; reference: ReferenceRun }[] {
  return Object.entries(vectors.runs).flatMap(([key, bySchedule]) =>
    Object.entries(bySchedule).map(([schedule, reference]) => ({ key, schedule, reference })),
  );
}

/**
 * Runs the port on a stored run's problem and checks it step by step: each callback's denoised estimate and the
 * result within `tolerance`, and exactly as many noise vectors and model calls as the reference.
 */
export async function expectMatchesReference(
  vectors: SamplerVectors,
  key: string,
  schedule: string,
  reference: ReferenceRun,
  tolerance: number,
): Promise<void> {
  const closed = closedFormRun(vectors, vectors.schedules[schedule]!);
  const out = await runSampler(samplerOfRun(key), Float32Array.from(reference.x0), closed.run, reference.options);
  expect(closed.steps.length, 'callbacks').toBe(reference.steps.length);
  reference.steps.forEach((step, i) => expectClose(closed.steps[i]!, step, tolerance, `step ${i} denoised`));
  expectClose(out, reference.out, tolerance, 'out');
  expect(closed.noiseUsed(), 'noise vectors drawn').toBe(reference.noise_used);
  expect(closed.modelCalls(), 'model calls').toBe(reference.model_calls);
}

/**
 * The probability-flow ODE on the cond Gaussian at cfg 1, whose solution is known: with D(x, σ) = μ + s²/(s² + σ²)·
 * (x − μ), x(σ) = μ + (x₀ − μ)·√(s² + σ²)/√(s² + σ₀²). 50 Karras steps on SD's σ range from a fixed x₀.
 */
export function odeProblem(vectors: SamplerVectors): {
  sigmas: number[];
  x0: Float32Array;
  exactAt: (sigma: number) => number[];
  denoise: (x: Float32Array, sigma: number) => Promise<Float32Array>;
} {
  const { s, mu_c: mu } = vectors.problem;
  const sd = new ModelSampling(SD_SCHEDULE);
  const sigmas = karrasSigmas(50, sd.sigmaMin, sd.sigmaMax);
  const sigma0 = sigmas[0]!;
  const z = [0.3, -1.2, 0.8, 1.5, -0.4, -0.9];
  const x0 = Float32Array.from(mu, (m, j) => m + sigma0 * z[j]!);
  return {
    sigmas,
    x0,
    exactAt: (sigma) =>
      mu.map((m, j) => m + (x0[j]! - m) * Math.sqrt((s[j]! ** 2 + sigma ** 2) / (s[j]! ** 2 + sigma0 ** 2))),
    denoise: (x, sigma) =>
      Promise.resolve(Float32Array.from(x, (v, j) => mu[j]! + (s[j]! ** 2 / (s[j]! ** 2 + sigma ** 2)) * (v - mu[j]!))),
  };
}
