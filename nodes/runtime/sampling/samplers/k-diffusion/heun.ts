import type { SamplerFamily } from '../sampler-names.js';
import type { SamplerOptions, SamplerRun } from '../sampler-run.js';
import { churn, churnOptions } from './churn.js';
import { combine, toD, type Term } from './vectors.js';

/** sample_heun: Karras's Algorithm 2, Heun's method (Euler on the last step to σ = 0), churn optional. */
async function heun(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  const churning = churnOptions(options);
  let x = x0;
  const total = run.sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const raised = churn(x, run, i, churning);
    x = raised.x;
    const sigmaHat = raised.sigmaHat;
    const sigmaNext = run.sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigmaHat);
    const d = toD(x, denoised, sigmaHat);
    await run.onStep?.(i, total, denoised);
    const dt = sigmaNext - sigmaHat;
    const predicted = combine([1, x], [dt, d]);
    if (sigmaNext === 0) {
      x = predicted;
      continue;
    }
    const d2 = toD(predicted, await run.denoise(predicted, sigmaNext), sigmaNext);
    x = combine([1, x], [dt / 2, d], [dt / 2, d2]);
  }
  return x;
}

/**
 * sample_heunpp2 (Carzit's Heun++): Euler into the last σ, Heun with weights 1 − σ_{i+1}/(2σ_0), σ_{i+1}/(2σ_0) into
 * the one before, and otherwise a third evaluation at σ_{i+2} weighted σ/(3σ_0). "Last" is the list's last σ,
 * compared by value as ComfyUI does.
 */
async function heunpp2(x0: Float32Array, run: SamplerRun, options: SamplerOptions): Promise<Float32Array> {
  const churning = churnOptions(options);
  const sigmas = run.sigmas;
  const sEnd = sigmas[sigmas.length - 1]!;
  let x = x0;
  const total = sigmas.length - 1;
  for (let i = 0; i < total; i++) {
    const raised = churn(x, run, i, churning);
    x = raised.x;
    const sigmaHat = raised.sigmaHat;
    const sigmaNext = sigmas[i + 1]!;
    const denoised = await run.denoise(x, sigmaHat);
    const d = toD(x, denoised, sigmaHat);
    await run.onStep?.(i, total, denoised);
    const dt = sigmaNext - sigmaHat;
    if (sigmaNext === sEnd) {
      x = combine([1, x], [dt, d]);
      continue;
    }
    const x2 = combine([1, x], [dt, d]);
    const d2 = toD(x2, await run.denoise(x2, sigmaNext), sigmaNext);
    const sigmaAfter = sigmas[i + 2]!;
    let terms: Term[];
    if (sigmaAfter === sEnd) {
      const w2 = sigmaNext / (2 * sigmas[0]!);
      terms = [
        [1 - w2, d],
        [w2, d2],
      ];
    } else {
      const x3 = combine([1, x2], [sigmaAfter - sigmaNext, d2]);
      const d3 = toD(x3, await run.denoise(x3, sigmaAfter), sigmaAfter);
      const w2 = sigmaNext / (3 * sigmas[0]!);
      const w3 = sigmaAfter / (3 * sigmas[0]!);
      terms = [
        [1 - w2 - w3, d],
        [w2, d2],
        [w3, d3],
      ];
    }
    x = combine([1, x], ...terms.map(([w, v]): Term => [w * dt, v]));
  }
  return x;
}

/** Two evaluations a step but on the last (σ_next = 0). */
export function secondOrderCalls(sigmas: readonly number[]): number {
  const steps = Math.max(0, sigmas.length - 1);
  return steps + sigmas.slice(1).filter((sigma) => sigma !== 0).length;
}

/** heunpp2's evaluations: one into the last σ, two into the one before, three elsewhere. */
function heunpp2Calls(sigmas: readonly number[]): number {
  const sEnd = sigmas[sigmas.length - 1];
  let calls = 0;
  for (let i = 0; i + 1 < sigmas.length; i++) calls += sigmas[i + 1] === sEnd ? 1 : sigmas[i + 2] === sEnd ? 2 : 3;
  return calls;
}

export const heunSamplers: SamplerFamily = {
  heun: { run: heun, modelCalls: secondOrderCalls },
  heunpp2: { run: heunpp2, modelCalls: heunpp2Calls },
};
