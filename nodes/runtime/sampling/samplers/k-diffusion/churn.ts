import { numberOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { combine } from './vectors.js';

/** Karras et al.'s churn options (s_churn, s_tmin, s_tmax, s_noise), ComfyUI's defaults: no churn. */
export interface Churn {
  readonly sChurn: number;
  readonly sTmin: number;
  readonly sTmax: number;
  readonly sNoise: number;
}

export function churnOptions(options: SamplerOptions): Churn {
  return {
    sChurn: numberOption(options, 's_churn', 0),
    sTmin: numberOption(options, 's_tmin', 0),
    sTmax: numberOption(options, 's_tmax', Infinity),
    sNoise: numberOption(options, 's_noise', 1),
  };
}

/**
 * Step i's churn: σ̂ = σ_i·(1 + γ) with γ = min(s_churn/steps, √2 − 1) inside [s_tmin, s_tmax], and x raised to σ̂
 * with fresh noise. ComfyUI draws that noise from torch's global generator (randn_like); here it comes from the
 * run's noise sampler, and only when γ > 0 (where it is used), so a run without churn draws none.
 */
export function churn(
  x: Float32Array,
  run: SamplerRun,
  i: number,
  options: Churn,
): { readonly x: Float32Array; readonly sigmaHat: number } {
  const sigma = run.sigmas[i]!;
  const inRange = options.sTmin <= sigma && sigma <= options.sTmax;
  const gamma = options.sChurn > 0 && inRange ? Math.min(options.sChurn / (run.sigmas.length - 1), Math.SQRT2 - 1) : 0;
  const sigmaHat = sigma * (gamma + 1);
  if (gamma <= 0) return { x, sigmaHat };
  const eps = run.noise(sigma, run.sigmas[i + 1]!);
  return { x: combine([1, x], [options.sNoise * Math.sqrt(sigmaHat ** 2 - sigma ** 2), eps]), sigmaHat };
}
