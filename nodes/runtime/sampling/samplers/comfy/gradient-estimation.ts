import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { combine } from './combine.js';

/**
 * ComfyUI's sample_gradient_estimation (openreview o2ND9v0CeK): an Euler step plus (ge_gamma − 1)·(d − d_prev)·dt
 * from the second step on; the step into σ = 0 returns D. With cfg_pp, d follows the unconditional estimate and the
 * Euler step restarts from D (CFG++).
 */
function gradientEstimation(cfgPp: boolean) {
  return async (x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> => {
    const geGamma = numberOption(options, 'ge_gamma', 2);
    const sigmas = run.sigmas;
    let x = x0;
    let oldD: Float32Array | undefined;
    const total = sigmas.length - 1;
    for (let i = 0; i < total; i++) {
      const sigma = sigmas[i]!;
      const sigmaNext = sigmas[i + 1]!;
      const { denoised, uncond } = cfgPp
        ? await run.denoiseWithUncond(x, sigma)
        : { denoised: await run.denoise(x, sigma), uncond: undefined };
      const d = combine([1 / sigma, x], [-1 / sigma, uncond ?? denoised]);
      await run.onStep?.(i, total, denoised);
      const dt = sigmaNext - sigma;
      if (sigmaNext === 0) {
        x = denoised;
      } else {
        x = uncond ? combine([1, denoised], [sigmaNext, d]) : combine([1, x], [dt, d]);
        if (i >= 1 && oldD) x = combine([1, x], [(geGamma - 1) * dt, d], [-(geGamma - 1) * dt, oldD]);
      }
      oldD = d;
    }
    return x;
  };
}

export const gradientEstimationSamplers: SamplerFamily = {
  gradient_estimation: { run: gradientEstimation(false) },
  gradient_estimation_cfg_pp: { run: gradientEstimation(true) },
};
