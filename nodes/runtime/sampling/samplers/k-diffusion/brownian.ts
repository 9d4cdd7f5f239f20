import type { NoiseSampler, SamplerRun } from '../sampler-run.js';

/**
 * The noise sampler ComfyUI's SDE samplers build by default: a BrownianTreeNoiseSampler over
 * [min σ > 0, max σ] of the run's σ list (the same tree for the _gpu variants, which only keep it on the GPU).
 */
export function brownianNoiseFor(run: SamplerRun): NoiseSampler {
  const positive = run.sigmas.filter((sigma) => sigma > 0);
  return run.brownianNoise(Math.min(...positive), Math.max(...run.sigmas));
}
