import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, type SamplerRun, type SamplerOptions } from '../sampler-run.js';

/** x + d·(σ_next − σ) with d = (x − D)/σ. */
export function eulerStep(x: Float32Array, denoised: Float32Array, sigma: number, sigmaNext: number): Float32Array {
  const out = new Float32Array(x.length);
  const ratio = (sigmaNext - sigma) / sigma;
  for (let i = 0; i < x.length; i++) out[i] = x[i]! + (x[i]! - denoised[i]!) * ratio;
  return out;
}

/** σ_down and σ_up of an ancestral step (k-diffusion's get_ancestral_step). */
export function ancestralSigmas(sigma: number, sigmaNext: number, eta = 1): { down: number; up: number } {
  if (!eta) return { down: sigmaNext, up: 0 };
  const up = Math.min(sigmaNext, eta * Math.sqrt((sigmaNext ** 2 * (sigma ** 2 - sigmaNext ** 2)) / sigma ** 2));
  return { down: Math.sqrt(sigmaNext ** 2 - up ** 2), up };
}

async function euler(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    x = eulerStep(x, denoised, sigma, run.sigmas[i + 1]!);
  }
  return x;
}

async function eulerAncestral(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  const eta = numberOption(options, 'eta', 1);
  const sNoise = numberOption(options, 's_noise', 1);
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    const { down, up } = ancestralSigmas(sigma, sigmaNext, eta);
    if (down === 0) {
      x = denoised;
      continue;
    }
    x = eulerStep(x, denoised, sigma, down);
    const z = run.noise(sigma, sigmaNext);
    for (let j = 0; j < x.length; j++) x[j] = x[j]! + z[j]! * sNoise * up;
  }
  return x;
}

export const eulerSamplers: SamplerFamily = {
  euler: { run: euler },
  euler_ancestral: { run: eulerAncestral },
};
