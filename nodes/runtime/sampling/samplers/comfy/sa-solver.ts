import type { SamplerFamily } from '../sampler-names.js';
import { booleanOption, numberOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { combine } from './combine.js';
import { stochasticAdamsCoefficients } from './sa-solver-coefficients.js';

/**
 * ComfyUI's sample_sa_solver (Stochastic Adams Solver, NeurIPS 2023): each step corrects the state with the new
 * estimate (from the second step; the last only with PECE), then predicts the next one with predictor_order (3)
 * past estimates and τ-scaled noise, orders falling to 1 near the end of a schedule into 0. With use_pece the
 * corrected state is evaluated again (PECE). ComfyUI passes τ as tau_func; here its parts are options: τ = eta (1)
 * for σ in [sde_end_sigma, sde_start_sigma] (SamplerSASolver's percents through percent_to_sigma; by default
 * percent_to_sigma(0.8) and (0.2), sample_sa_solver's own interval), else 0. Other options: s_noise (1),
 * corrector_order (4), use_pece (sa_solver only), simple_order_2.
 */
function saSolver(pece: boolean) {
  return async (x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> => {
    const sigmas = run.sigmas;
    if (sigmas.length <= 1) return x0;
    const eta = numberOption(options, 'eta', 1);
    const startSigma = numberOption(options, 'sde_start_sigma', run.percentToSigma(0.2));
    const endSigma = numberOption(options, 'sde_end_sigma', run.percentToSigma(0.8));
    const tauOf = (sigma: number): number => (eta > 0 && startSigma >= sigma && sigma >= endSigma ? eta : 0);
    const sNoise = numberOption(options, 's_noise', 1);
    const predictorOrder = numberOption(options, 'predictor_order', 3);
    const correctorOrder = numberOption(options, 'corrector_order', 4);
    // sample_sa_solver_pece fixes use_pece; only sa_solver takes it as an option.
    const usePece = pece || booleanOption(options, 'use_pece', false);
    const simpleOrder2 = booleanOption(options, 'simple_order_2', false);

    const lambdas = sigmas.map((s) => -Math.log(s));
    const keep = Math.max(predictorOrder, correctorOrder);
    const toEnd = sigmas[sigmas.length - 1] === 0;
    let x = x0;
    let xPred = x0;
    let h = 0;
    let tau = 0;
    let noise: Float32Array | undefined;
    let estimates: Float32Array[] = [];
    const total = sigmas.length - 1;
    for (let i = 0; i < total; i++) {
      const sigma = sigmas[i]!;
      const sigmaNext = sigmas[i + 1]!;
      let denoised = await run.denoise(xPred, sigma);
      await run.onStep?.(i, total, denoised);
      estimates = [...estimates, denoised].slice(-keep);

      let predictorUsed = Math.min(predictorOrder, estimates.length);
      let correctorUsed = i === 0 || (sigmaNext === 0 && !usePece) ? 0 : Math.min(correctorOrder, estimates.length);
      if (toEnd) {
        predictorUsed = Math.min(predictorUsed, sigmas.length - 2 - i);
        correctorUsed = Math.min(correctorUsed, sigmas.length - 1 - i);
      }

      if (correctorUsed === 0) {
        x = xPred;
      } else {
        const b = stochasticAdamsCoefficients(
          sigma,
          lambdas.slice(i - correctorUsed + 1, i + 1),
          lambdas[i - 1]!,
          lambdas[i]!,
          tau,
          simpleOrder2,
          true,
        );
        const used = estimates.slice(-correctorUsed);
        x = combine(
          [(sigma / sigmas[i - 1]!) * Math.exp(-(tau ** 2) * h), x],
          ...used.map((e, k) => [b[k]!, e] as const),
        );
        if (tau > 0 && sNoise > 0 && noise) x = combine([1, x], [1, noise]);
        if (usePece) {
          denoised = await run.denoise(x, sigma);
          estimates[estimates.length - 1] = denoised;
        }
      }

      if (sigmaNext === 0) {
        xPred = denoised;
      } else {
        tau = tauOf(sigmaNext);
        const b = stochasticAdamsCoefficients(
          sigmaNext,
          lambdas.slice(i - predictorUsed + 1, i + 1),
          lambdas[i]!,
          lambdas[i + 1]!,
          tau,
          simpleOrder2,
          false,
        );
        const used = estimates.slice(-predictorUsed);
        h = lambdas[i + 1]! - lambdas[i]!;
        xPred = combine(
          [(sigmaNext / sigma) * Math.exp(-(tau ** 2) * h), x],
          ...used.map((e, k) => [b[k]!, e] as const),
        );
        if (tau > 0 && sNoise > 0) {
          noise = combine([
            sigmaNext * Math.sqrt(-Math.expm1(-2 * tau ** 2 * h)) * sNoise,
            run.noise(sigma, sigmaNext),
          ]);
          xPred = combine([1, xPred], [1, noise]);
        }
      }
    }
    return xPred;
  };
}

/** PECE evaluates every corrected state again: every step but the first (at the default corrector_order). */
function peceCalls(sigmas: readonly number[]): number {
  const steps = Math.max(0, sigmas.length - 1);
  return steps === 0 ? 0 : 2 * steps - 1;
}

export const saSolverSamplers: SamplerFamily = {
  sa_solver: { run: saSolver(false) },
  sa_solver_pece: { run: saSolver(true), modelCalls: peceCalls },
};
