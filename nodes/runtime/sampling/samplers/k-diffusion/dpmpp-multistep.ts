import type { SamplerFamily } from '../sampler-names.js';
import type { SamplerRun } from '../sampler-run.js';
import { combine } from './vectors.js';

/** h_last/h: the previous step's size over this one's, in t = −log σ. */
function stepRatio(sigmas: readonly number[], i: number): number {
  const h = Math.log(sigmas[i]!) - Math.log(sigmas[i + 1]!);
  return (Math.log(sigmas[i - 1]!) - Math.log(sigmas[i]!)) / h;
}

/** sample_dpmpp_2m: DPM-Solver++(2M), first order on the first step and into σ = 0. */
async function dpmpp2m(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  let x = x0;
  let previous: Float32Array | undefined;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    // σ_next/σ = e^{−h}; at σ_next = 0, h = ∞ and the step lands on the estimate.
    const ratio = sigmaNext / sigma;
    if (!previous || sigmaNext === 0) {
      x = combine([ratio, x], [1 - ratio, denoised]);
    } else {
      const r = stepRatio(run.sigmas, i);
      x = combine([ratio, x], [(1 - ratio) * (1 + 1 / (2 * r)), denoised], [-(1 - ratio) / (2 * r), previous]);
    }
    previous = denoised;
  }
  return x;
}

/**
 * sample_dpmpp_2m_cfg_pp: 2M's step taken from the unconditional estimate, re-aimed at the guided one
 * (x ← D + e^{−h}·(x − D_u) + the second-order term on D − the previous D_u).
 */
async function dpmpp2mCfgPp(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  let x = x0;
  let previousUncond: Float32Array | undefined;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const { denoised, uncond } = await run.denoiseWithUncond(x, sigma);
    await run.onStep?.(i, total, denoised);
    const decay = sigmaNext / sigma;
    if (!previousUncond || sigmaNext === 0) {
      x = combine([1, denoised], [-decay, uncond], [decay, x]);
    } else {
      const k = (1 - decay) / (2 * stepRatio(run.sigmas, i));
      x = combine([1 + k, denoised], [-decay, uncond], [-k, previousUncond], [decay, x]);
    }
    previousUncond = uncond;
  }
  return x;
}

export const dpmppMultistepSamplers: SamplerFamily = {
  dpmpp_2m: { run: dpmpp2m },
  dpmpp_2m_cfg_pp: { run: dpmpp2mCfgPp },
};
