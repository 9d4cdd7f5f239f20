import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, stringOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { secondOrderCalls } from './heun.js';
import { combine, type Term } from './vectors.js';

/**
 * ComfyUI's exp_heun_2_x0 and exp_heun_2_x0_sde are its SEEDS-2 (sample_seeds_2) with r = 1: an exponential
 * step in λ = −log σ to σ_next, a second evaluation there, and a corrected step from the two estimates (the φ₂
 * combination by default, or φ₁: their mean). The SDE form adds noise after each half, as SEEDS-2 does, drawing
 * twice a step even though with r = 1 the second draw is scaled by 0.
 */
async function expHeun2(
  x0: Float32Array,
  run: SamplerRun,
  eta: number,
  sNoise: number,
  solverType: string,
): Promise<Float32Array> {
  if (solverType !== 'phi_1' && solverType !== 'phi_2') throw new Error("solver_type must be 'phi_1' or 'phi_2'");
  const r = 1;
  const inject = eta > 0 && sNoise > 0;
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
    const h = Math.log(sigma) - Math.log(sigmaNext);
    const hEta = h * (eta + 1);
    const sigmaMid = Math.exp(-(-Math.log(sigma) + r * h));
    let x2 = combine([(sigmaMid / sigma) * Math.exp(-r * h * eta), x], [-Math.expm1(-r * hEta), denoised]);
    let sdeNoise: Float32Array | undefined;
    if (inject) {
      sdeNoise = combine([Math.sqrt(-Math.expm1(-2 * r * h * eta)), run.noise(sigma, sigmaMid)]);
      x2 = combine([1, x2], [sigmaMid * sNoise, sdeNoise]);
    }
    const denoised2 = await run.denoise(x2, sigmaMid);
    const decay = (sigmaNext / sigma) * Math.exp(-h * eta);
    let estimate: Term[];
    if (solverType === 'phi_1') {
      const fac = 1 / (2 * r);
      const phi1 = Math.expm1(-hEta);
      estimate = [
        [-phi1 * (1 - fac), denoised],
        [-phi1 * fac, denoised2],
      ];
    } else {
      const b2 = (Math.expm1(-hEta) + hEta) / -hEta / r;
      const b1 = Math.expm1(-hEta) - b2;
      estimate = [
        [-b1, denoised],
        [-b2, denoised2],
      ];
    }
    x = combine([decay, x], ...estimate);
    if (sdeNoise) {
      const segment = (r - 1) * h * eta;
      const z = run.noise(sigmaMid, sigmaNext);
      const scale = sigmaNext * sNoise;
      x = combine([1, x], [scale * Math.exp(segment), sdeNoise], [scale * Math.sqrt(-Math.expm1(2 * segment)), z]);
    }
  }
  return x;
}

function expHeun2X0(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  return expHeun2(x0, run, 0, 0, stringOption(options, 'solver_type', 'phi_2'));
}

function expHeun2X0Sde(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  return expHeun2(
    x0,
    run,
    numberOption(options, 'eta', 1),
    numberOption(options, 's_noise', 1),
    stringOption(options, 'solver_type', 'phi_2'),
  );
}

export const expHeunSamplers: SamplerFamily = {
  exp_heun_2_x0: { run: expHeun2X0, modelCalls: secondOrderCalls },
  exp_heun_2_x0_sde: { run: expHeun2X0Sde, modelCalls: secondOrderCalls },
};
