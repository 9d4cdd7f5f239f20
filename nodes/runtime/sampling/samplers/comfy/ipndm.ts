import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { combine } from './combine.js';
import { maxOrderOption, pushHistory } from './history.js';

/** Weights of d_cur, d_{i−1}, d_{i−2}, d_{i−3} for one improved-PNDM step of the given order. */
type StepWeights = (order: number, i: number, sigmas: readonly number[]) => readonly number[];

/** Fixed Adams–Bashforth weights (sample_ipndm). */
const fixedWeights: StepWeights = (order) => {
  if (order === 2) return [3 / 2, -1 / 2];
  if (order === 3) return [23 / 12, -16 / 12, 5 / 12];
  return [55 / 24, -59 / 24, 37 / 24, -9 / 24];
};

/** Variable-step weights from the σ spacings (sample_ipndm_v). */
const variableWeights: StepWeights = (order, i, t) => {
  const hn = t[i + 1]! - t[i]!;
  const hn1 = t[i]! - t[i - 1]!;
  if (order === 2) return [(2 + hn / hn1) / 2, -(hn / hn1) / 2];
  const hn2 = t[i - 1]! - t[i - 2]!;
  const temp1 = (1 - ((hn / (3 * (hn + hn1))) * (hn * (hn + hn1))) / (hn1 * (hn1 + hn2))) / 2;
  if (order === 3) {
    return [(2 + hn / hn1) / 2 + temp1, -(hn / hn1) / 2 - (1 + hn1 / hn2) * temp1, (temp1 * hn1) / hn2];
  }
  const hn3 = t[i - 2]! - t[i - 3]!;
  const temp2 =
    (((1 - hn / (3 * (hn + hn1))) / 2 + ((1 - hn / (2 * (hn + hn1))) * hn) / (6 * (hn + hn1 + hn2))) *
      (hn * (hn + hn1) * (hn + hn1 + hn2))) /
    (hn1 * (hn1 + hn2) * (hn1 + hn2 + hn3));
  const q = (hn1 * (hn1 + hn2)) / (hn2 * (hn2 + hn3));
  return [
    (2 + hn / hn1) / 2 + temp1 + temp2,
    -(hn / hn1) / 2 - (1 + hn1 / hn2) * temp1 - (1 + hn1 / hn2 + q) * temp2,
    (temp1 * hn1) / hn2 + (hn1 / hn2 + q * (1 + hn2 / hn3)) * temp2,
    -temp2 * q * (hn1 / hn2),
  ];
};

/**
 * ComfyUI's sample_ipndm / sample_ipndm_v (from zju-pi's diff-sampler): Euler first, then up to max_order (4)
 * Adams–Bashforth steps on the stored derivatives d = (x − D)/σ; the final step into σ = 0 returns D.
 */
function ipndmSampler(name: string, weights: StepWeights) {
  return async (x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> => {
    const maxOrder = maxOrderOption(name, numberOption(options, 'max_order', 4));
    const sigmas = run.sigmas;
    let x = x0;
    let history: Float32Array[] = [];
    const total = sigmas.length - 1;
    for (let i = 0; i < total; i++) {
      const sigma = sigmas[i]!;
      const sigmaNext = sigmas[i + 1]!;
      const denoised = await run.denoise(x, sigma);
      await run.onStep?.(i, total, denoised);
      const d = combine([1 / sigma, x], [-1 / sigma, denoised]);
      const order = Math.min(maxOrder, i + 1);
      const dt = sigmaNext - sigma;
      let next: Float32Array;
      if (sigmaNext === 0) next = denoised;
      else if (order === 1) next = combine([1, x], [dt, d]);
      else {
        const w = weights(order, i, sigmas);
        next = combine(
          [1, x],
          [dt * w[0]!, d],
          ...w.slice(1).map((wk, k) => [dt * wk, history[history.length - 1 - k]!] as const),
        );
      }
      history = pushHistory(history, d, maxOrder - 1);
      x = next;
    }
    return x;
  };
}

export const ipndmSamplers: SamplerFamily = {
  ipndm: { run: ipndmSampler('ipndm', fixedWeights) },
  ipndm_v: { run: ipndmSampler('ipndm_v', variableWeights) },
};
