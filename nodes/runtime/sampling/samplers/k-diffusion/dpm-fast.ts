import type { SamplerFamily } from '../sampler-names.js';
import type { SamplerRun } from '../sampler-run.js';
import { DpmSolver, tOf, type EpsCache } from './dpm-solver.js';
import { combine } from './vectors.js';

/**
 * ComfyUI's KSAMPLER wrapper for dpm_fast: it solves from σ_0 down to the last σ above zero (it makes no final
 * jump to σ = 0, so the result keeps that σ's noise) with as many model calls as the list has steps.
 */
export function dpmSigmaRange(sigmas: readonly number[]): { readonly sigmaMin: number; readonly sigmaMax: number } {
  const last = sigmas[sigmas.length - 1]!;
  return { sigmaMin: last === 0 ? sigmas[sigmas.length - 2]! : last, sigmaMax: sigmas[0]! };
}

/**
 * DPMSolver.dpm_solver_fast (η = 0; ComfyUI's wrapper passes no options): nfe evaluations over ⌊nfe/3⌋ + 1 equal
 * steps in t = −log σ, third order but for a closing second- and first-order step (or one of order nfe mod 3).
 * Progress: one onStep per solver step, with that step count as the total (ComfyUI reports the σ list's step
 * count, which its bar never reaches).
 */
async function dpmFast(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  if (run.sigmas.length <= 1) return x0;
  const { sigmaMin, sigmaMax } = dpmSigmaRange(run.sigmas);
  if (sigmaMin <= 0 || sigmaMax <= 0) throw new Error('sigma_min and sigma_max must not be 0');
  const nfe = run.sigmas.length - 1;
  const solver = new DpmSolver(run);
  const tStart = tOf(sigmaMax);
  const tEnd = tOf(sigmaMin);
  const m = Math.floor(nfe / 3) + 1;
  const ts = Array.from({ length: m + 1 }, (_, k) => tStart + ((tEnd - tStart) * k) / m);
  const orders = nfe % 3 === 0 ? [...Array<number>(m - 2).fill(3), 2, 1] : [...Array<number>(m - 1).fill(3), nfe % 3];
  let x = x0;
  for (const [i, order] of orders.entries()) {
    const cache: EpsCache = new Map();
    const t = ts[i]!;
    const tNext = ts[i + 1]!;
    const eps = await solver.eps(cache, 'eps', x, t);
    await run.onStep?.(i, orders.length, combine([1, x], [-solver.sigma(t), eps]));
    if (order === 1) x = await solver.step1(x, t, tNext, cache);
    else if (order === 2) x = await solver.step2(x, t, tNext, cache);
    else x = await solver.step3(x, t, tNext, cache);
    // ComfyUI adds σ_up·s_noise·noise after every step; at η = 0 σ_up is 0, but the noise is still drawn.
    run.noise(solver.sigma(t), solver.sigma(tNext));
  }
  return x;
}

export const dpmFastSamplers: SamplerFamily = {
  dpm_fast: { run: dpmFast },
};
