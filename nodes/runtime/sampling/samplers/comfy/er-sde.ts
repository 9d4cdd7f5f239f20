import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, stringOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { combine } from './combine.js';

/** ER-SDE's noise scaler φ(λ) on the VP ratio λ = σ/α (σ for our models). */
type NoiseScaler = (lambda: number) => number;

/**
 * SamplerER_SDE's noise scalers, which ComfyUI hands sample_er_sde as a function; here the node's solver_type and
 * eta are the sampler's options instead. ER-SDE at η = 1 is sample_er_sde's own default, x·(e^{x^0.3} + 10).
 */
function noiseScaler(solverType: string, eta: number): NoiseScaler {
  if (solverType === 'ODE' || eta === 0) return (v) => v;
  if (solverType === 'Reverse-time SDE') return (v) => v ** (eta + 1);
  if (solverType === 'ER-SDE') return (v) => v * (Math.exp(v ** 0.3) + 10) ** eta;
  throw new RangeError(`er_sde: solver_type must be 'ER-SDE', 'Reverse-time SDE' or 'ODE', not '${solverType}'`);
}

const INTEGRATION_POINTS = 200;

/**
 * ComfyUI's sample_er_sde (VP ER-SDE-Solver-3, arXiv 2309.06169): up to max_stage (3) stages, the higher ones with
 * 200-point Riemann sums of 1/φ, then noise scaled to the SDE's variance (0 where it would be negative). Options:
 * s_noise (1), max_stage (3), and SamplerER_SDE's solver_type ('ER-SDE') and eta (1); ODE or η = 0 draw no noise,
 * as that node sets s_noise to 0 for them.
 */
async function erSde(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  const solverType = stringOption(options, 'solver_type', 'ER-SDE');
  const eta = numberOption(options, 'eta', 1);
  const scaler = noiseScaler(solverType, eta);
  const sNoise = solverType === 'ODE' || eta === 0 ? 0 : numberOption(options, 's_noise', 1);
  const maxStage = numberOption(options, 'max_stage', 3);
  const sigmas = run.sigmas;
  // er_lambda = σ/α = exp(−half-log-SNR): σ itself for an ε/v model.
  const lambdas = sigmas;
  let x = x0;
  let oldDenoised: Float32Array | undefined;
  let oldDenoisedD: Float32Array | undefined;
  const total = sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = sigmas[i]!;
    const sigmaNext = sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    const stage = Math.min(maxStage, i + 1);
    if (sigmaNext === 0) {
      x = denoised;
    } else {
      const ls = lambdas[i]!;
      const lt = lambdas[i + 1]!;
      const alphaS = sigma / ls;
      const alphaT = sigmaNext / lt;
      const r = scaler(lt) / scaler(ls);
      x = combine([(alphaT / alphaS) * r, x], [alphaT * (1 - r), denoised]);
      if (stage >= 2 && oldDenoised) {
        const dt = lt - ls;
        const step = -dt / INTEGRATION_POINTS;
        let s = 0;
        let sU = 0;
        for (let p = 0; p < INTEGRATION_POINTS; p++) {
          const position = lt + p * step;
          const scaled = scaler(position);
          s += 1 / scaled;
          sU += (position - ls) / scaled;
        }
        s *= step;
        sU *= step;
        const denoisedD = combine([1 / (ls - lambdas[i - 1]!), denoised], [-1 / (ls - lambdas[i - 1]!), oldDenoised]);
        x = combine([1, x], [alphaT * (dt + s * scaler(lt)), denoisedD]);
        if (stage >= 3 && oldDenoisedD) {
          const width = (ls - lambdas[i - 2]!) / 2;
          const denoisedU = combine([1 / width, denoisedD], [-1 / width, oldDenoisedD]);
          x = combine([1, x], [alphaT * (dt ** 2 / 2 + sU * scaler(lt)), denoisedU]);
        }
        oldDenoisedD = denoisedD;
      }
      if (sNoise > 0) {
        const scale = Math.sqrt(lt ** 2 - ls ** 2 * r ** 2);
        x = combine([1, x], [alphaT * sNoise * (Number.isNaN(scale) ? 0 : scale), run.noise(sigma, sigmaNext)]);
      }
    }
    oldDenoised = denoised;
  }
  return x;
}

export const erSdeSamplers: SamplerFamily = {
  er_sde: { run: erSde },
};
