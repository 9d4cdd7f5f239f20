import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, stringOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { brownianNoiseFor } from './brownian.js';
import { combine, type Term } from './vectors.js';

/**
 * sample_dpmpp_2m_sde: DPM-Solver++(2M) SDE (ε/v models: λ = −log σ, α = 1). Each step decays x by
 * (σ_next/σ)·e^{−ηh}, moves toward the estimate with weight 1 − e^{−(η+1)h}, corrects with the previous estimate
 * (solver_type 'midpoint' or 'heun') and adds Brownian noise σ_next·√(1 − e^{−2ηh})·s_noise.
 */
async function dpmpp2mSde(
  x0: Float32Array,
  run: SamplerRun,
  options: SamplerOptions,
  defaultSolver: 'midpoint' | 'heun',
): Promise<Float32Array> {
  if (run.sigmas.length <= 1) return x0;
  const eta = numberOption(options, 'eta', 1);
  const sNoise = numberOption(options, 's_noise', 1);
  const solverType = stringOption(options, 'solver_type', defaultSolver);
  if (solverType !== 'heun' && solverType !== 'midpoint') throw new Error("solver_type must be 'heun' or 'midpoint'");
  const noise = brownianNoiseFor(run);
  let x = x0;
  let previous: Float32Array | undefined;
  let h: number | undefined;
  let hLast: number | undefined;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    if (sigmaNext === 0) {
      x = denoised;
    } else {
      h = Math.log(sigma) - Math.log(sigmaNext);
      const hEta = h * (eta + 1);
      const weight = -Math.expm1(-hEta);
      const terms: Term[] = [
        [(sigmaNext / sigma) * Math.exp(-h * eta), x],
        [weight, denoised],
      ];
      if (previous && hLast !== undefined) {
        const r = hLast / h;
        const c = solverType === 'heun' ? (weight / -hEta + 1) / r : (0.5 * weight) / r;
        terms.push([c, denoised], [-c, previous]);
      }
      if (eta > 0 && sNoise > 0)
        terms.push([sigmaNext * Math.sqrt(-Math.expm1(-2 * h * eta)) * sNoise, noise(sigma, sigmaNext)]);
      x = combine(...terms);
    }
    previous = denoised;
    hLast = h;
  }
  return x;
}

/**
 * sample_dpmpp_3m_sde: DPM-Solver++(3M) SDE, the 2M SDE step with a third-order correction from the two previous
 * estimates (second order on the second step), Brownian noise as 2M SDE.
 */
async function dpmpp3mSde(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  if (run.sigmas.length <= 1) return x0;
  const eta = numberOption(options, 'eta', 1);
  const sNoise = numberOption(options, 's_noise', 1);
  const noise = brownianNoiseFor(run);
  let x = x0;
  let denoised1: Float32Array | undefined;
  let denoised2: Float32Array | undefined;
  let h: number | undefined;
  let h1: number | undefined;
  let h2: number | undefined;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    if (sigmaNext === 0) {
      x = denoised;
    } else {
      h = Math.log(sigma) - Math.log(sigmaNext);
      const hEta = h * (eta + 1);
      const terms: Term[] = [
        [(sigmaNext / sigma) * Math.exp(-h * eta), x],
        [-Math.expm1(-hEta), denoised],
      ];
      const phi2 = Math.expm1(-hEta) / hEta + 1;
      if (h2 !== undefined && h1 !== undefined && denoised1 && denoised2) {
        const r0 = h1 / h;
        const r1 = h2 / h;
        const phi3 = phi2 / hEta - 0.5;
        // d1_0 = (D − D₁)/r0, d1_1 = (D₁ − D₂)/r1; x += φ₂·(d1_0 + (d1_0 − d1_1)·r0/(r0 + r1)) − φ₃·(d1_0 − d1_1)/(r0 + r1).
        const a = phi2 * (1 + r0 / (r0 + r1)) - phi3 / (r0 + r1);
        const b = -phi2 * (r0 / (r0 + r1)) + phi3 / (r0 + r1);
        terms.push([a / r0, denoised], [-a / r0 + b / r1, denoised1], [-b / r1, denoised2]);
      } else if (h1 !== undefined && denoised1) {
        const r = h1 / h;
        terms.push([phi2 / r, denoised], [-phi2 / r, denoised1]);
      }
      if (eta > 0 && sNoise > 0)
        terms.push([sigmaNext * Math.sqrt(-Math.expm1(-2 * h * eta)) * sNoise, noise(sigma, sigmaNext)]);
      x = combine(...terms);
    }
    denoised2 = denoised1;
    denoised1 = denoised;
    h2 = h1;
    h1 = h;
  }
  return x;
}

const midpoint = (x: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> =>
  dpmpp2mSde(x, run, options, 'midpoint');
const heun = (x: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> =>
  dpmpp2mSde(x, run, options, 'heun');

export const dpmppMultistepSdeSamplers: SamplerFamily = {
  dpmpp_2m_sde: { run: midpoint },
  dpmpp_2m_sde_gpu: { run: midpoint },
  dpmpp_2m_sde_heun: { run: heun },
  dpmpp_2m_sde_heun_gpu: { run: heun },
  dpmpp_3m_sde: { run: dpmpp3mSde },
  dpmpp_3m_sde_gpu: { run: dpmpp3mSde },
};
