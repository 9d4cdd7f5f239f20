import type { SamplerFamily } from '../sampler-names.js';
import type { SamplerRun } from '../sampler-run.js';
import { eulerStep } from './euler.js';

async function heun(x0: Float32Array, run: SamplerRun): Promise<Float32Array> {
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const sigma = run.sigmas[i]!;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigma);
    await run.onStep?.(i, total, denoised);
    const dt = sigmaNext - sigma;
    const predicted = eulerStep(x, denoised, sigma, sigmaNext);
    if (sigmaNext === 0) {
      x = predicted;
      continue;
    }
    const denoised2 = await run.denoise(predicted, sigmaNext);
    const out = new Float32Array(x.length);
    for (let j = 0; j < x.length; j++) {
      const d = (x[j]! - denoised[j]!) / sigma;
      const d2 = (predicted[j]! - denoised2[j]!) / sigmaNext;
      out[j] = x[j]! + ((d + d2) / 2) * dt;
    }
    x = out;
  }
  return x;
}

/** Two evaluations a step but on the last (σ_next = 0). */
export function secondOrderCalls(sigmas: readonly number[]): number {
  const steps = Math.max(0, sigmas.length - 1);
  return steps + sigmas.slice(1).filter((sigma) => sigma !== 0).length;
}

export const heunSamplers: SamplerFamily = {
  heun: { run: heun, modelCalls: secondOrderCalls },
};
