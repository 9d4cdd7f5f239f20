import { ModelSampling, SD_SCHEDULE } from '../../nodes/runtime/sampling/model-sampling.js';
import type { NoiseSampler, SamplerRun } from '../../nodes/runtime/sampling/samplers/sampler-run.js';

const sd = new ModelSampling(SD_SCHEDULE);

/**
 * A SamplerRun for tests from the parts a test cares about: the CFG++ estimate defaults to the denoiser's (uncond =
 * guided), the Brownian noise to the plain noise sampler, and percent → σ to SD's schedule.
 */
export function testSamplerRun(
  run: Pick<SamplerRun, 'sigmas' | 'denoise' | 'noise'> & Partial<SamplerRun>,
): SamplerRun {
  const noise: NoiseSampler = run.noise;
  return {
    denoiseWithUncond: async (x, sigma) => {
      const denoised = await run.denoise(x, sigma);
      return { denoised, uncond: denoised };
    },
    brownianNoise: () => noise,
    percentToSigma: (percent) => sd.percentToSigma(percent),
    ...run,
  };
}
