import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kDiffusionSamplers } from '../../nodes/runtime/sampling/samplers/k-diffusion/index.js';
import { lmsCoefficient } from '../../nodes/runtime/sampling/samplers/k-diffusion/lms.js';
import { modelCalls, runSampler, type SamplerName } from '../../nodes/runtime/sampling/samplers/registry.js';
import type { SamplerOptions } from '../../nodes/runtime/sampling/samplers/sampler-run.js';
import {
  closedFormRun,
  expectMatchesReference,
  odeProblem,
  readSamplerVectors,
  referenceCases,
  samplerOfRun,
} from '../helpers/closed-form-denoiser.js';
import { testSamplerRun } from '../helpers/sampler-run.js';

/**
 * The k-diffusion ports against tests/fixtures/sampler-vectors/k-diffusion.json, our float64 numpy re-derivation
 * of ComfyUI's samplers (make_k_diffusion.py) on the closed-form Gaussian problem: every callback's denoised
 * estimate, the result, the noise vectors drawn and the model calls.
 *
 * Tolerance |a − b| ≤ 1e-5·(1 + |b|): the ports keep latents in float32 (rounding 6e-8 relative) with float64
 * coefficients and sums; over ≤ 21 evaluations with CFG 3 amplifying differences the drift measured is ≤ 7e-7,
 * while a wrong coefficient moves results by 1e-3 or more. dpm_adaptive at order 3 gets 3e-3·(1 + |b|): its error
 * estimate (DPM-Solver-2 against -3 at the same points) is a difference of nearly equal vectors, so float32
 * rounding of the model's output alone changes the step sizes it proposes and, continuously, its path: the numpy
 * reference with D rounded to float32 moves by 5.6e-4, and the port by 6.8e-4 (relative to 1 + |b|).
 */
const vectors = readSamplerVectors(
  fileURLToPath(new URL('../fixtures/sampler-vectors/k-diffusion.json', import.meta.url)),
);

const cases = referenceCases(vectors);

describe('k-diffusion samplers against the reference vectors', () => {
  it('has reference runs for every sampler of the family', () => {
    const covered = new Set(Object.keys(vectors.runs).map(samplerOfRun));
    expect(Object.keys(kDiffusionSamplers).filter((name) => !covered.has(name as SamplerName))).toEqual([]);
  });

  it.each(cases)('$key on $schedule', async ({ key, schedule, reference }) => {
    const name = samplerOfRun(key);
    const sigmas = vectors.schedules[schedule]!;
    const tolerance = name === 'dpm_adaptive' && reference.options['order'] !== 2 ? 3e-3 : 1e-5;
    await expectMatchesReference(vectors, key, schedule, reference, tolerance);
    // The entry's count for the σ list agrees, but for dpm_adaptive, whose count depends on the model.
    if (name !== 'dpm_adaptive') expect(modelCalls(name, sigmas), 'modelCalls()').toBe(reference.model_calls);
  });
});

describe('k-diffusion samplers details', () => {
  it('lms weights are the exact integrals of the Lagrange basis (sum to the step; order 1 is Euler)', () => {
    const sigmas = [14, 9, 5.5, 3, 1.5, 0.7];
    expect(lmsCoefficient(1, sigmas, 3, 0)).toBeCloseTo(sigmas[4]! - sigmas[3]!, 12);
    const weights = [0, 1, 2, 3].map((j) => lmsCoefficient(4, sigmas, 4, j));
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(sigmas[5]! - sigmas[4]!, 12);
    // Two-step Adams–Bashforth on a uniform grid: (3/2, −1/2)·Δ.
    const uniform = [4, 3, 2, 1];
    expect(lmsCoefficient(2, uniform, 1, 0)).toBeCloseTo(-1.5, 12);
    expect(lmsCoefficient(2, uniform, 1, 1)).toBeCloseTo(0.5, 12);
  });

  it('dpm_adaptive reports progress with a total that reaches the step index at the end', async () => {
    const closed = closedFormRun(vectors, vectors.schedules['karras_8']!);
    const seen: [number, number][] = [];
    await runSampler('dpm_adaptive', Float32Array.from(vectors.runs['dpm_adaptive']!['karras_8']!.x0), {
      ...closed.run,
      onStep: (step, total) => void seen.push([step, total]),
    });
    expect(seen.map(([step]) => step)).toEqual(seen.map((_, i) => i));
    for (const [step, total] of seen) expect(total).toBeGreaterThan(step);
    expect(seen.at(-1)![1]).toBe(seen.length);
  });

  it('dpm_fast reports one step per solver step, out of that many', async () => {
    const closed = closedFormRun(vectors, vectors.schedules['karras_8']!);
    const seen: [number, number][] = [];
    await runSampler('dpm_fast', Float32Array.from(vectors.runs['dpm_fast']!['karras_8']!.x0), {
      ...closed.run,
      onStep: (step, total) => void seen.push([step, total]),
    });
    // 8 evaluations: ⌊8/3⌋ + 1 = 3 steps of orders 3, 3, 2.
    expect(seen).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
  });

  it('the SDE samplers ask for Brownian noise over [min σ > 0, max σ] of their list', async () => {
    const sigmas = vectors.schedules['karras_8']!;
    for (const name of ['dpmpp_sde', 'dpmpp_2m_sde_gpu', 'dpmpp_2m_sde_heun', 'dpmpp_3m_sde_gpu'] as const) {
      const closed = closedFormRun(vectors, sigmas);
      const asked: [number, number][] = [];
      await runSampler(name, Float32Array.from(vectors.runs[name]!['karras_8']!.x0), {
        ...closed.run,
        noise: () => {
          throw new Error(`${name} drew default noise`);
        },
        brownianNoise: (min, max) => {
          asked.push([min, max]);
          return closed.run.brownianNoise(min, max);
        },
      });
      expect(asked, name).toEqual([[sigmas[sigmas.length - 2]!, sigmas[0]!]]);
    }
  });

  it('rejects unknown solver types and dpm_adaptive orders', async () => {
    const run = closedFormRun(vectors, vectors.schedules['karras_8']!).run;
    const x = Float32Array.from(vectors.runs['euler']!['karras_8']!.x0);
    await expect(runSampler('dpmpp_2m_sde', x, run, { solver_type: 'euler' })).rejects.toThrow(/solver_type/);
    await expect(runSampler('exp_heun_2_x0', x, run, { solver_type: 'phi_3' })).rejects.toThrow(/solver_type/);
    await expect(runSampler('dpm_adaptive', x, run, { order: 4 })).rejects.toThrow(/order/);
  });
});

/**
 * The deterministic samplers on the probability-flow ODE, whose solution for Gaussian data is known: with
 * D(x, σ) = μ + s²/(s² + σ²)·(x − μ), x(σ) = μ + (x₀ − μ)·√(s² + σ²)/√(s² + σ₀²), so x(0) = μ + (x₀ − μ)·s/√(s² + σ₀²).
 * 50 Karras steps, cfg 1 on the cond Gaussian alone (the CFG++ samplers see it as both estimates), and the SDE
 * samplers at η = 0, where they are ODE solvers too.
 *
 * Bounds are 2–4× the error measured, by order: first-order samplers (euler, and heunpp2, whose weights σ/(3σ_0)
 * fall to Euler's at small σ) end ~5e-2 off and halve it with twice the steps; the second- and third-order ones
 * are ~1e-3 off, a floor set by the shared last step from σ_min = 0.029 into σ = 0, which is a jump to D (first
 * order by design). dpm_fast and dpm_adaptive stop at σ_min instead, so they are compared with x(σ_min) and are
 * closer; dpm_adaptive runs with rtol 1e-5, atol 1e-6 (at its defaults, 5% relative, it is 6e-2 off, as is our
 * numpy re-derivation of ComfyUI's). A wrong coefficient moves results by 0.1 or more.
 */
describe('deterministic k-diffusion samplers solve the probability-flow ODE', () => {
  const { sigmas, x0, exactAt, denoise } = odeProblem(vectors);

  const cases: [SamplerName, SamplerOptions, number][] = [
    ['euler', {}, 1e-1],
    ['euler_cfg_pp', {}, 1e-1],
    ['heunpp2', {}, 1e-1],
    ['heun', {}, 6e-3],
    ['exp_heun_2_x0', {}, 1e-2],
    ['exp_heun_2_x0', { solver_type: 'phi_1' }, 1e-2],
    ['dpm_2', {}, 3e-3],
    ['lms', {}, 4e-3],
    ['dpmpp_2m', {}, 6e-3],
    ['dpmpp_2m_cfg_pp', {}, 6e-3],
    ['dpmpp_2m_sde', { eta: 0 }, 6e-3],
    ['dpmpp_2m_sde_heun', { eta: 0 }, 6e-3],
    ['dpmpp_3m_sde', { eta: 0 }, 3e-3],
    ['dpm_fast', {}, 4e-4],
    ['dpm_adaptive', { rtol: 1e-5, atol: 1e-6 }, 3e-4],
  ];
  it.each(cases)('%s %j within %s', async (name, options, tolerance) => {
    const run = testSamplerRun({
      sigmas,
      denoise,
      noise: () => {
        throw new Error(`${name} drew noise`);
      },
    });
    // dpm_fast and dpm_adaptive draw noise that they scale by 0 at η = 0 (as ComfyUI does): give them zeros.
    const quiet = name === 'dpm_fast' || name === 'dpm_adaptive' ? { ...run, noise: () => new Float32Array(6) } : run;
    const out = await runSampler(name, x0, quiet, options);
    const end = name === 'dpm_fast' || name === 'dpm_adaptive' ? sigmas[sigmas.length - 2]! : 0;
    const exact = exactAt(end);
    const error = Math.max(...exact.map((e, j) => Math.abs(out[j]! - e)));
    expect(error).toBeLessThan(tolerance);
  });
});
