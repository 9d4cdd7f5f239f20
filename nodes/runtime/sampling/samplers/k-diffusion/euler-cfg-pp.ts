import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { ancestralSigmas } from './euler.js';
import { combine } from './vectors.js';

/**
 * sample_euler_ancestral_cfg_pp (CFG++): the step starts from the guided estimate but moves along the
 * unconditional direction d = (x − D_uncond)/σ. For ε/v models α_s = α_t = 1, which is the only case here.
 */
async function eulerAncestralCfgPp(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  const eta = numberOption(options, 'eta', 1);
  const sNoise = numberOption(options, 's_noise', 1);
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const { denoised, uncond } = await run.denoiseWithUncond(x, sigma);
    await run.onStep?.(i, total, denoised);
    if (sigmaNext === 0) {
      x = denoised;
      continue;
    }
    const { down, up } = ancestralSigmas(sigma, sigmaNext, eta);
    const k = down / sigma;
    const terms = [
      [1, denoised],
      [k, x],
      [-k, uncond],
    ] as const;
    x = eta > 0 && sNoise > 0 ? combine(...terms, [sNoise * up, run.noise(sigma, sigmaNext)]) : combine(...terms);
  }
  return x;
}

/** sample_euler_cfg_pp: the ancestral CFG++ sampler with η = 0 and no noise; it takes no options. */
function eulerCfgPp(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  return eulerAncestralCfgPp(x0, run, { eta: 0, s_noise: 0 });
}

export const eulerCfgPpSamplers: SamplerFamily = {
  euler_cfg_pp: { run: eulerCfgPp },
  euler_ancestral_cfg_pp: { run: eulerAncestralCfgPp },
};
