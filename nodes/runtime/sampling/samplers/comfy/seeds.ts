import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, stringOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { combine, stagedCalls } from './combine.js';

/** h·φ₁(h) and h·φ₂(h) of exponential integrators. */
const hPhi1 = (h: number): number => Math.expm1(h);
const hPhi2 = (h: number): number => (Math.expm1(h) - h) / h;

/** √(1 − e^{2·segment}): the fresh share of noise carried over a segment of −segment in λ, scaled by η. */
const freshShare = (segment: number): number => Math.sqrt(-Math.expm1(2 * segment));

/**
 * ComfyUI's sample_seeds_2 (SEEDS-2, arXiv 2305.14267, data prediction in λ = −log σ): one intermediate stage at
 * λ_s + r·h, combined as φ₁ (lerp by 1/(2r)) or φ₂; with η > 0 and s_noise > 0 the noise drawn for the stage is
 * carried into the step's end and topped up, two draws a step. Options eta (1), s_noise (1), r (0.5),
 * solver_type ('phi_1').
 */
async function seeds2(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  const eta = numberOption(options, 'eta', 1);
  const sNoise = numberOption(options, 's_noise', 1);
  const r = numberOption(options, 'r', 0.5);
  const solverType = stringOption(options, 'solver_type', 'phi_1');
  if (solverType !== 'phi_1' && solverType !== 'phi_2')
    throw new RangeError("seeds_2: solver_type must be 'phi_1' or 'phi_2'");
  const inject = eta > 0 && sNoise > 0;
  const fac = 1 / (2 * r);
  const sigmas = run.sigmas;
  let x = x0;
  const total = sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = sigmas[i]!;
    const sigmaNext = sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    if (sigmaNext === 0) {
      x = denoised;
      continue;
    }
    const lambdaS = -Math.log(sigma);
    const lambdaT = -Math.log(sigmaNext);
    const h = lambdaT - lambdaS;
    const hEta = h * (eta + 1);
    const lambdaS1 = lambdaS + r * (lambdaT - lambdaS);
    const sigmaS1 = Math.exp(-lambdaS1);
    const alphaS1 = sigmaS1 * Math.exp(lambdaS1);
    const alphaT = sigmaNext * Math.exp(lambdaT);

    let x2 = combine([(sigmaS1 / sigma) * Math.exp(-r * h * eta), x], [-alphaS1 * hPhi1(-r * hEta), denoised]);
    let sdeNoise: Float32Array | undefined;
    if (inject) {
      sdeNoise = combine([Math.sqrt(-Math.expm1(-2 * r * h * eta)), run.noise(sigma, sigmaS1)]);
      x2 = combine([1, x2], [sigmaS1 * sNoise, sdeNoise]);
    }
    const denoised2 = await run.denoise(x2, sigmaS1);

    const decay = (sigmaNext / sigma) * Math.exp(-h * eta);
    if (solverType === 'phi_1') {
      const w = -alphaT * hPhi1(-hEta);
      x = combine([decay, x], [w * (1 - fac), denoised], [w * fac, denoised2]);
    } else {
      const b2 = hPhi2(-hEta) / r;
      const b1 = hPhi1(-hEta) - b2;
      x = combine([decay, x], [-alphaT * b1, denoised], [-alphaT * b2, denoised2]);
    }
    if (sdeNoise) {
      const segment = (r - 1) * h * eta;
      sdeNoise = combine([Math.exp(segment), sdeNoise], [freshShare(segment), run.noise(sigmaS1, sigmaNext)]);
      x = combine([1, x], [sigmaNext * sNoise, sdeNoise]);
    }
  }
  return x;
}

/**
 * ComfyUI's sample_seeds_3 (SEEDS-3): two intermediate stages at λ_s + r_1·h and λ_s + r_2·h, the same carried
 * noise over three segments (three draws a step). Options eta (1), s_noise (1), r_1 (1/3), r_2 (2/3).
 */
async function seeds3(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  const eta = numberOption(options, 'eta', 1);
  const sNoise = numberOption(options, 's_noise', 1);
  const r1 = numberOption(options, 'r_1', 1 / 3);
  const r2 = numberOption(options, 'r_2', 2 / 3);
  const inject = eta > 0 && sNoise > 0;
  const sigmas = run.sigmas;
  let x = x0;
  const total = sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = sigmas[i]!;
    const sigmaNext = sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    if (sigmaNext === 0) {
      x = denoised;
      continue;
    }
    const lambdaS = -Math.log(sigma);
    const lambdaT = -Math.log(sigmaNext);
    const h = lambdaT - lambdaS;
    const hEta = h * (eta + 1);
    const lambdaS1 = lambdaS + r1 * (lambdaT - lambdaS);
    const lambdaS2 = lambdaS + r2 * (lambdaT - lambdaS);
    const sigmaS1 = Math.exp(-lambdaS1);
    const sigmaS2 = Math.exp(-lambdaS2);
    const alphaS1 = sigmaS1 * Math.exp(lambdaS1);
    const alphaS2 = sigmaS2 * Math.exp(lambdaS2);
    const alphaT = sigmaNext * Math.exp(lambdaT);

    let x2 = combine([(sigmaS1 / sigma) * Math.exp(-r1 * h * eta), x], [-alphaS1 * hPhi1(-r1 * hEta), denoised]);
    let sdeNoise: Float32Array | undefined;
    if (inject) {
      sdeNoise = combine([Math.sqrt(-Math.expm1(-2 * r1 * h * eta)), run.noise(sigma, sigmaS1)]);
      x2 = combine([1, x2], [sigmaS1 * sNoise, sdeNoise]);
    }
    const denoised2 = await run.denoise(x2, sigmaS1);

    const a32 = (r2 / r1) * hPhi2(-r2 * hEta);
    const a31 = hPhi1(-r2 * hEta) - a32;
    let x3 = combine(
      [(sigmaS2 / sigma) * Math.exp(-r2 * h * eta), x],
      [-alphaS2 * a31, denoised],
      [-alphaS2 * a32, denoised2],
    );
    if (sdeNoise) {
      const segment = (r1 - r2) * h * eta;
      sdeNoise = combine([Math.exp(segment), sdeNoise], [freshShare(segment), run.noise(sigmaS1, sigmaS2)]);
      x3 = combine([1, x3], [sigmaS2 * sNoise, sdeNoise]);
    }
    const denoised3 = await run.denoise(x3, sigmaS2);

    const b3 = hPhi2(-hEta) / r2;
    const b1 = hPhi1(-hEta) - b3;
    x = combine([(sigmaNext / sigma) * Math.exp(-h * eta), x], [-alphaT * b1, denoised], [-alphaT * b3, denoised3]);
    if (sdeNoise) {
      const segment = (r2 - 1) * h * eta;
      sdeNoise = combine([Math.exp(segment), sdeNoise], [freshShare(segment), run.noise(sigmaS2, sigmaNext)]);
      x = combine([1, x], [sigmaNext * sNoise, sdeNoise]);
    }
  }
  return x;
}

export const seedsSamplers: SamplerFamily = {
  seeds_2: { run: seeds2, modelCalls: stagedCalls(2) },
  seeds_3: { run: seeds3, modelCalls: stagedCalls(3) },
};
