import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { brownianNoiseFor } from './brownian.js';
import { ancestralSigmas } from './euler.js';
import { secondOrderCalls } from './heun.js';
import { combine } from './vectors.js';

/**
 * sample_dpmpp_sde (DPM-Solver++ stochastic, ε/v models: λ = −log σ, α = 1): an ancestral DPM-Solver++ step to
 * the point r of the way in λ, a second evaluation there, and an ancestral step to σ_next from the two estimates
 * mixed 1 − 1/(2r) : 1/(2r). Brownian noise, drawn twice a step (for the substep and for the step).
 */
async function dpmppSde(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  if (run.sigmas.length <= 1) return x0;
  const eta = numberOption(options, 'eta', 1);
  const sNoise = numberOption(options, 's_noise', 1);
  const r = numberOption(options, 'r', 1 / 2);
  const noise = brownianNoiseFor(run);
  const addNoise = eta > 0 && sNoise > 0;
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    if (sigmaNext === 0) {
      x = denoised;
      continue;
    }
    const lambdaS = -Math.log(sigma);
    const h = -Math.log(sigmaNext) - lambdaS;
    const sigmaMid = Math.exp(-(lambdaS + r * h));
    const fac = 1 / (2 * r);

    const first = ancestralSigmas(sigma, sigmaMid, eta);
    let x2 = combine([first.down / sigma, x], [1 - first.down / sigma, denoised]);
    if (addNoise) x2 = combine([1, x2], [sNoise * first.up, noise(sigma, sigmaMid)]);
    const denoised2 = await run.denoise(x2, sigmaMid);

    const second = ancestralSigmas(sigma, sigmaNext, eta);
    const k = 1 - second.down / sigma;
    x = combine([second.down / sigma, x], [k * (1 - fac), denoised], [k * fac, denoised2]);
    if (addNoise) x = combine([1, x], [sNoise * second.up, noise(sigma, sigmaNext)]);
  }
  return x;
}

export const dpmppSdeSamplers: SamplerFamily = {
  dpmpp_sde: { run: dpmppSde, modelCalls: secondOrderCalls },
  dpmpp_sde_gpu: { run: dpmppSde, modelCalls: secondOrderCalls },
};
