import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, stringOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { combine } from './combine.js';
import { deisTabCoefficients } from './deis-coefficients.js';
import { maxOrderOption, pushHistory } from './history.js';

/**
 * ComfyUI's sample_deis (max_order 3, deis_mode 'tab'): Euler first, then x + Σ cₖ·dₖ over the current and stored
 * derivatives with DEIS's integrated weights; the step into σ = 0 is Euler. Only 'tab' is ported: no ComfyUI node
 * sets deis_mode, and its 'rhoab' tables do not match the sampler's orders past the third step.
 */
async function deis(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  const maxOrder = maxOrderOption('deis', numberOption(options, 'max_order', 3));
  const mode = stringOption(options, 'deis_mode', 'tab');
  if (mode !== 'tab') throw new RangeError(`deis: deis_mode '${mode}' is not supported (only 'tab')`);
  const sigmas = run.sigmas;
  const coefficients = deisTabCoefficients(sigmas, maxOrder);
  let x = x0;
  let history: Float32Array[] = [];
  const total = sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = sigmas[i]!;
    const sigmaNext = sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    const d = combine([1 / sigma, x], [-1 / sigma, denoised]);
    const order = sigmaNext <= 0 ? 1 : Math.min(maxOrder, i + 1);
    let next: Float32Array;
    if (order === 1) next = combine([1, x], [sigmaNext - sigma, d]);
    else {
      const c = coefficients[i]!;
      next = combine([1, x], [c[0]!, d], ...c.slice(1).map((ck, k) => [ck, history[history.length - 1 - k]!] as const));
    }
    history = pushHistory(history, d, maxOrder - 1);
    x = next;
  }
  return x;
}

export const deisSamplers: SamplerFamily = {
  deis: { run: deis },
};
