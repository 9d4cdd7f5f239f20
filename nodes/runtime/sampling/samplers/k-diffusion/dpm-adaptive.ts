import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { dpmSigmaRange } from './dpm-fast.js';
import { DpmSolver, tOf, type EpsCache } from './dpm-solver.js';
import { PidStepSize } from './pid-step-size.js';
import { combine } from './vectors.js';

/** ‖(low − high)/δ‖₂/√n with δ = max(atol, rtol·max(|low|, |previous|)): the step's scaled error estimate. */
function scaledError(
  low: Float32Array,
  high: Float32Array,
  previous: Float32Array,
  rtol: number,
  atol: number,
): number {
  let sum = 0;
  for (let j = 0; j < low.length; j++) {
    const delta = Math.max(atol, rtol * Math.max(Math.abs(low[j]!), Math.abs(previous[j]!)));
    sum += ((low[j]! - high[j]!) / delta) ** 2;
  }
  return Math.sqrt(sum) / Math.sqrt(low.length);
}

/**
 * DPMSolver.dpm_solver_adaptive through ComfyUI's KSAMPLER wrapper: DPM-Solver-12 (order 2) or -23 (order 3, the
 * default) with a PID-controlled step size in t = −log σ, from σ_0 to the last σ above zero; options rtol, atol,
 * h_init, pcoeff, icoeff, dcoeff, accept_safety, eta, s_noise by ComfyUI's names and defaults.
 *
 * Progress: onStep after every attempt, rejected ones included, with ComfyUI's index (attempts so far − 1). The
 * step count is not known in advance, so the total passed is an estimate: the attempts so far plus the t left over
 * the step size now proposed, which is the attempts so far once t reaches its end.
 */
async function dpmAdaptive(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  if (run.sigmas.length <= 1) return x0;
  const order = numberOption(options, 'order', 3);
  const rtol = numberOption(options, 'rtol', 0.05);
  const atol = numberOption(options, 'atol', 0.0078);
  const hInit = numberOption(options, 'h_init', 0.05);
  const eta = numberOption(options, 'eta', 0);
  const sNoise = numberOption(options, 's_noise', 1);
  const { sigmaMin, sigmaMax } = dpmSigmaRange(run.sigmas);
  if (sigmaMin <= 0 || sigmaMax <= 0) throw new Error('sigma_min and sigma_max must not be 0');
  if (order !== 2 && order !== 3) throw new Error('order should be 2 or 3');
  const tStart = tOf(sigmaMax);
  const tEnd = tOf(sigmaMin);
  const forward = tEnd > tStart;
  if (!forward && eta) throw new Error('eta must be 0 for reverse sampling');
  const pid = new PidStepSize(
    Math.abs(hInit) * (forward ? 1 : -1),
    numberOption(options, 'pcoeff', 0),
    numberOption(options, 'icoeff', 1),
    numberOption(options, 'dcoeff', 0),
    eta ? 1.5 : order,
    numberOption(options, 'accept_safety', 0.81),
  );
  const solver = new DpmSolver(run);
  const unfinished = (s: number): boolean => (forward ? s < tEnd - 1e-5 : s > tEnd + 1e-5);
  let s = tStart;
  let x = x0;
  let previous = x0;
  let attempts = 0;
  while (unfinished(s)) {
    const cache: EpsCache = new Map();
    const t = forward ? Math.min(tEnd, s + pid.h) : Math.max(tEnd, s + pid.h);
    const { to, up } = solver.ancestral(s, t, tEnd, eta);
    const eps = await solver.eps(cache, 'eps', x, s);
    const denoised = combine([1, x], [-solver.sigma(s), eps]);
    const low = order === 2 ? await solver.step1(x, s, to, cache) : await solver.step2(x, s, to, cache, 1 / 3);
    const high = order === 2 ? await solver.step2(x, s, to, cache) : await solver.step3(x, s, to, cache);
    if (pid.proposeStep(scaledError(low, high, previous, rtol, atol))) {
      previous = low;
      x = combine([1, high], [up * sNoise, run.noise(solver.sigma(s), solver.sigma(t))]);
      s = t;
    }
    attempts++;
    const left = unfinished(s) ? Math.ceil(Math.abs(tEnd - s) / Math.abs(pid.h)) : 0;
    await run.onStep?.(attempts - 1, attempts + left, denoised);
  }
  return x;
}

/**
 * No modelCalls, so the registry's one-per-step estimate stands: dpm_adaptive makes `order` evaluations per
 * attempt, and how many attempts depends on the model's outputs, which a σ list cannot tell.
 */
export const dpmAdaptiveSamplers: SamplerFamily = {
  dpm_adaptive: { run: dpmAdaptive },
};
