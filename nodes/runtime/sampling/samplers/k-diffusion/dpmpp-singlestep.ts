import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { ancestralSigmas } from './euler.js';
import { secondOrderCalls } from './heun.js';
import { combine, type Term } from './vectors.js';

/**
 * One DPM-Solver++(2S) step from σ to σ_down in t = −log σ: an evaluation at the midpoint in t, then the step by
 * that estimate. `estimate` reads the second evaluation's estimate (guided, or unconditional for CFG++).
 */
async function singlestep2(
  x: Float32Array,
  first: Float32Array,
  sigma: number,
  down: number,
  estimate: (x: Float32Array, sigma: number) => Promise<Float32Array>,
): Promise<Float32Array> {
  const h = Math.log(sigma) - Math.log(down);
  const sigmaMid = Math.exp(Math.log(sigma) - h / 2);
  const x2 = combine([sigmaMid / sigma, x], [-Math.expm1(-h / 2), first]);
  const second = await estimate(x2, sigmaMid);
  return combine([down / sigma, x], [-Math.expm1(-h), second]);
}

/** sample_dpmpp_2s_ancestral: DPM-Solver++(2S) down to σ_down (Euler when that is 0), then noise up to σ_next. */
async function dpmpp2sAncestral(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
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
    if (down === 0) x = combine([down / sigma, x], [1 - down / sigma, denoised]);
    else x = await singlestep2(x, denoised, sigma, down, (y, s) => run.denoise(y, s));
    if (sigmaNext > 0) x = combine([1, x], [sNoise * up, run.noise(sigma, sigmaNext)]);
  }
  return x;
}

/**
 * sample_dpmpp_2s_ancestral_cfg_pp: the 2S steps on the unconditional estimates, the guidance (guided −
 * unconditional, from the step's first evaluation) added after. The second evaluation's guided estimate is unused.
 */
async function dpmpp2sAncestralCfgPp(
  x0: Float32Array,
  run: SamplerRun,
  options: SamplerOptions,
): Promise<Float32Array> {
  const eta = numberOption(options, 'eta', 1);
  const sNoise = numberOption(options, 's_noise', 1);
  const uncondOf = async (x: Float32Array, sigma: number): Promise<Float32Array> =>
    (await run.denoiseWithUncond(x, sigma)).uncond;
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const { denoised, uncond } = await run.denoiseWithUncond(x, sigma);
    const { down, up } = ancestralSigmas(sigma, sigmaNext, eta);
    await run.onStep?.(i, total, denoised);
    if (down === 0) x = combine([down / sigma, x], [1 - down / sigma, uncond]);
    else x = await singlestep2(x, uncond, sigma, down, uncondOf);
    const terms: Term[] = [
      [1, x],
      [1, denoised],
      [-1, uncond],
    ];
    if (sigmaNext > 0) terms.push([sNoise * up, run.noise(sigma, sigmaNext)]);
    x = combine(...terms);
  }
  return x;
}

/** Two evaluations a step but where σ_down = 0, which for η ≤ 1 is only the step to σ = 0. */
export const dpmppSinglestepSamplers: SamplerFamily = {
  dpmpp_2s_ancestral: { run: dpmpp2sAncestral, modelCalls: secondOrderCalls },
  dpmpp_2s_ancestral_cfg_pp: { run: dpmpp2sAncestralCfgPp, modelCalls: secondOrderCalls },
};
