import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { churn, churnOptions } from './churn.js';
import { combine } from './vectors.js';

/** x + d·(σ_next − σ) with d = (x − D)/σ. */
export function eulerStep(x: Float32Array, denoised: Float32Array, sigma: number, sigmaNext: number): Float32Array {
  const ratio = (sigmaNext - sigma) / sigma;
  return combine([1 + ratio, x], [-ratio, denoised]);
}

/** σ_down and σ_up of an ancestral step (k-diffusion's get_ancestral_step). */
export function ancestralSigmas(sigma: number, sigmaNext: number, eta = 1): { down: number; up: number } {
  if (!eta) return { down: sigmaNext, up: 0 };
  const up = Math.min(sigmaNext, eta * Math.sqrt((sigmaNext ** 2 * (sigma ** 2 - sigmaNext ** 2)) / sigma ** 2));
  return { down: Math.sqrt(sigmaNext ** 2 - up ** 2), up };
}

/** sample_euler: Karras's Algorithm 2 with Euler steps, churn optional. */
async function euler(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  const churning = churnOptions(options);
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const raised = churn(x, run, i, churning);
    x = raised.x;
    const denoised = await run.denoise(x, raised.sigmaHat);
    await run.onStep?.(i, total, denoised);
    x = eulerStep(x, denoised, raised.sigmaHat, run.sigmas[i + 1]!);
  }
  return x;
}

/** sample_euler_ancestral: an Euler step down to σ_down, then noise up to σ_next. */
async function eulerAncestral(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
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
    if (down === 0) {
      x = denoised;
      continue;
    }
    const ratio = (down - sigma) / sigma;
    x = combine([1 + ratio, x], [-ratio, denoised], [sNoise * up, run.noise(sigma, sigmaNext)]);
  }
  return x;
}

export const eulerSamplers: SamplerFamily = {
  euler: { run: euler },
  euler_ancestral: { run: eulerAncestral },
};
