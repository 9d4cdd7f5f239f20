import type { SamplerFamily } from '../sampler-names.js';
import { numberOption, type SamplerOptions, type SamplerRun } from '../sampler-run.js';
import { combine, toD, type Term } from './vectors.js';

/**
 * The linear multistep weight of the derivative `j` steps back: the integral over [σ_i, σ_{i+1}] of its Lagrange
 * basis polynomial on the last `order` σs. ComfyUI integrates numerically (scipy's quad, exact for these low
 * degrees); here the polynomial is expanded in u = τ − σ_i and integrated exactly.
 */
export function lmsCoefficient(order: number, sigmas: readonly number[], i: number, j: number): number {
  const origin = sigmas[i]!;
  // Coefficients of the basis polynomial in u, lowest power first.
  let poly = [1];
  for (let k = 0; k < order; k++) {
    if (k === j) continue;
    const denominator = sigmas[i - j]! - sigmas[i - k]!;
    const shift = origin - sigmas[i - k]!;
    const next = new Array<number>(poly.length + 1).fill(0);
    poly.forEach((c, p) => {
      next[p]! += (c * shift) / denominator;
      next[p + 1]! += c / denominator;
    });
    poly = next;
  }
  const span = sigmas[i + 1]! - origin;
  return poly.reduce((sum, c, p) => sum + (c * span ** (p + 1)) / (p + 1), 0);
}

/** sample_lms: Adams–Bashforth-like steps in σ over the last `order` derivatives (default 4), a jump to D at σ = 0. */
async function lms(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  const order = numberOption(options, 'order', 4);
  const sigmas = run.sigmas;
  const derivatives: Float32Array[] = [];
  let x = x0;
  const total = sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const denoised = await run.denoise(x, sigmas[i]!);
    derivatives.push(toD(x, denoised, sigmas[i]!));
    if (derivatives.length > order) derivatives.shift();
    await run.onStep?.(i, total, denoised);
    if (sigmas[i + 1] === 0) {
      x = denoised;
      continue;
    }
    const current = Math.min(i + 1, order);
    const terms = Array.from({ length: current }, (_, j): Term => [
      lmsCoefficient(current, sigmas, i, j),
      derivatives[derivatives.length - 1 - j]!,
    ]);
    x = combine([1, x], ...terms);
  }
  return x;
}

export const lmsSamplers: SamplerFamily = {
  lms: { run: lms },
};
