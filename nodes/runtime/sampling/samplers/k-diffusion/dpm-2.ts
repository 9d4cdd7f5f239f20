import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { churn, churnOptions } from './churn.js';
import { ancestralSigmas } from './euler.js';
import { secondOrderCalls } from './heun.js';
import { combine, toD } from './vectors.js';

/** The geometric midpoint of two σs (the midpoint in log σ), where DPM-Solver-2 evaluates its second estimate. */
function logMidpoint(a: number, b: number): number {
  return Math.exp((Math.log(a) + Math.log(b)) / 2);
}

/**
 * A DPM-Solver-2 step in σ from σ̂ to target: a half step by the first derivative, and the full step by the
 * derivative at the midpoint (one more evaluation).
 */
async function midpointStep(
  x: Float32Array,
  d: Float32Array,
  run: SamplerRun,
  sigmaHat: number,
  target: number,
): Promise<Float32Array> {
  const sigmaMid = logMidpoint(sigmaHat, target);
  const x2 = combine([1, x], [sigmaMid - sigmaHat, d]);
  const d2 = toD(x2, await run.denoise(x2, sigmaMid), sigmaMid);
  return combine([1, x], [target - sigmaHat, d2]);
}

/** sample_dpm_2: Karras's Algorithm 2 with DPM-Solver-2 steps (Euler into σ = 0), churn optional. */
async function dpm2(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  const churning = churnOptions(options);
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const raised = churn(x, run, i, churning);
    x = raised.x;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, raised.sigmaHat);
    const d = toD(x, denoised, raised.sigmaHat);
    await run.onStep?.(i, total, denoised);
    x =
      sigmaNext === 0
        ? combine([1, x], [sigmaNext - raised.sigmaHat, d])
        : await midpointStep(x, d, run, raised.sigmaHat, sigmaNext);
  }
  return x;
}

/** sample_dpm_2_ancestral: DPM-Solver-2 down to σ_down, then noise up to σ_next. */
async function dpm2Ancestral(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  const eta = numberOption(options, 'eta', 1);
  const sNoise = numberOption(options, 's_noise', 1);
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    const { down, up } = ancestralSigmas(sigma, sigmaNext, eta);
    await run.onStep?.(i, total, denoised);
    const d = toD(x, denoised, sigma);
    if (down === 0) {
      x = combine([1, x], [down - sigma, d]);
      continue;
    }
    x = await midpointStep(x, d, run, sigma, down);
    x = combine([1, x], [sNoise * up, run.noise(sigma, sigmaNext)]);
  }
  return x;
}

/**
 * Both take their schedule for one step more with the penultimate σ dropped (KSampler's
 * DISCARD_PENULTIMATE_SIGMA_SAMPLERS). dpm_2_ancestral's count assumes σ_down > 0 before σ = 0, true for η ≤ 1.
 */
export const dpm2Samplers: SamplerFamily = {
  dpm_2: { run: dpm2, discardPenultimate: true, modelCalls: secondOrderCalls },
  dpm_2_ancestral: { run: dpm2Ancestral, discardPenultimate: true, modelCalls: secondOrderCalls },
};
