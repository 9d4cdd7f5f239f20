import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { comfySamplers } from '../../nodes/runtime/sampling/samplers/comfy/index.js';
import { deisTabCoefficients } from '../../nodes/runtime/sampling/samplers/comfy/deis-coefficients.js';
import { solveLinear } from '../../nodes/runtime/sampling/samplers/comfy/linear-solve.js';
import { stochasticAdamsCoefficients } from '../../nodes/runtime/sampling/samplers/comfy/sa-solver-coefficients.js';
import {
  discardsPenultimateSigma,
  modelCalls,
  runSampler,
  type SamplerName,
} from '../../nodes/runtime/sampling/samplers/registry.js';
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
 * ComfyUI's own samplers against tests/fixtures/sampler-vectors/comfy.json, our float64 numpy re-derivation of
 * them (make_comfy.py) on the closed-form Gaussian problem: every callback's denoised estimate, the result, the
 * noise vectors drawn and the model calls, for ComfyUI's defaults and for option variants ("name@variant").
 *
 * Tolerance |a − b| ≤ 1e-4·(1 + |b|): the ports keep latents in float32 (relative rounding 6e-8 a value) while
 * coefficients and sums are float64; over ≤ 24 evaluations, with CFG 3 and the stored noise (float32 here)
 * amplifying differences, the drift stays near 1e-6, so 1e-4 leaves margin yet is far below the effect of any wrong
 * coefficient (1e-2 or more).
 */
const vectors = readSamplerVectors(fileURLToPath(new URL('../fixtures/sampler-vectors/comfy.json', import.meta.url)));

const cases = referenceCases(vectors);

describe('ComfyUI samplers against the reference vectors', () => {
  it('has reference runs for every sampler of the family', () => {
    const covered = new Set(Object.keys(vectors.runs).map(samplerOfRun));
    expect(Object.keys(comfySamplers).filter((name) => !covered.has(name as SamplerName))).toEqual([]);
  });

  it.each(cases)('$key on $schedule', async ({ key, schedule, reference }) => {
    await expectMatchesReference(vectors, key, schedule, reference, 1e-4);
    const name = samplerOfRun(key);
    const sigmas = vectors.schedules[schedule]!;
    // modelCalls() sees only the σ list, so it is checked for the runs with the default orders.
    if (!key.includes('@')) expect(modelCalls(name, sigmas), 'modelCalls()').toBe(reference.model_calls);
  });
});

describe('ComfyUI samplers details', () => {
  it('report progress once per step, with the step count as total', async () => {
    const sigmas = vectors.schedules['karras_8']!;
    const total = sigmas.length - 1;
    for (const name of Object.keys(comfySamplers) as SamplerName[]) {
      const closed = closedFormRun(vectors, sigmas);
      const seen: [number, number][] = [];
      await runSampler(name, Float32Array.from(vectors.runs[name]!['karras_8']!.x0), {
        ...closed.run,
        onStep: (step, steps) => void seen.push([step, steps]),
      });
      expect(seen, name).toEqual(Array.from({ length: total }, (_, i) => [i, total]));
    }
  });

  it('uni_pc and uni_pc_bh2 drop the penultimate σ, as KSampler does for them', () => {
    expect(discardsPenultimateSigma('uni_pc')).toBe(true);
    expect(discardsPenultimateSigma('uni_pc_bh2')).toBe(true);
    expect(discardsPenultimateSigma('deis')).toBe(false);
    expect(discardsPenultimateSigma('sa_solver')).toBe(false);
  });

  it('counts the extra evaluations of the multi-stage samplers', () => {
    const sigmas = [3, 2, 1, 0];
    expect(modelCalls('seeds_2', sigmas)).toBe(5);
    expect(modelCalls('seeds_3', sigmas)).toBe(7);
    expect(modelCalls('sa_solver', sigmas)).toBe(3);
    expect(modelCalls('sa_solver_pece', sigmas)).toBe(5);
    expect(modelCalls('uni_pc', sigmas)).toBe(3);
    expect(modelCalls('seeds_2', [3, 2, 1])).toBe(4);
  });

  it('DEIS weights integrate dσ/dt: each row sums to the σ step (Riemann sum of 10⁴ points)', () => {
    const sigmas = [14.6, 9.1, 5.5, 3.2, 1.7, 0.9, 0.45, 0.2, 0.08, 0.03, 0];
    const rows = deisTabCoefficients(sigmas, 3);
    expect(rows.map((row) => row.length)).toEqual([0, 2, 3, 3, 3, 3, 3, 3, 3, 0]);
    rows.forEach((row, i) => {
      if (row.length === 0) return;
      const step = sigmas[i + 1]! - sigmas[i]!;
      expect(Math.abs(row.reduce((a, b) => a + b, 0) - step), `row ${i}`).toBeLessThan(1e-3 * Math.abs(step));
    });
  });

  it('SA-Solver weights sum to α_t·(1 − e^{−(1+τ²)h}), the integral of a constant estimate', () => {
    const lambdas = [-2.1, -1.6, -1.2];
    const [lambdaS, lambdaT, tau, sigmaNext] = [-1.2, -0.7, 0.6, Math.exp(0.7)];
    const whole = sigmaNext * Math.exp(lambdaT) * -Math.expm1(-(1 + tau ** 2) * (lambdaT - lambdaS));
    for (const [points, simple] of [
      [lambdas, false],
      [lambdas.slice(1), false],
      [lambdas.slice(1), true],
      [[lambdaS], false],
    ] as const) {
      const b = stochasticAdamsCoefficients(sigmaNext, points, lambdaS, lambdaT, tau, simple, false);
      expect(b).toHaveLength(points.length);
      expect(b.reduce((a, v) => a + v, 0)).toBeCloseTo(whole, 12);
    }
  });

  it('solves the small linear systems with pivoting', () => {
    const x = solveLinear(
      [
        [0, 2, 1],
        [1, 1, 1],
        [4, -1, 3],
      ],
      [7, 6, 11],
    );
    [1, 2, 3].forEach((v, i) => expect(x[i]).toBeCloseTo(v, 12));
    expect(() =>
      solveLinear(
        [
          [1, 2],
          [2, 4],
        ],
        [1, 2],
      ),
    ).toThrow(/singular/);
  });

  it('rejects options ComfyUI has no branch for', async () => {
    const run = closedFormRun(vectors, vectors.schedules['karras_8']!).run;
    const x = Float32Array.from(vectors.runs['deis']!['karras_8']!.x0);
    await expect(runSampler('deis', x, run, { deis_mode: 'rhoab' })).rejects.toThrow(/deis_mode/);
    await expect(runSampler('ipndm', x, run, { max_order: 5 })).rejects.toThrow(/max_order/);
    await expect(runSampler('er_sde', x, run, { solver_type: 'SDE' })).rejects.toThrow(/solver_type/);
    await expect(runSampler('seeds_2', x, run, { solver_type: 'phi_3' })).rejects.toThrow(/solver_type/);
  });
});

/**
 * The deterministic samplers (the stochastic ones with η = 0, er_sde as its ODE) on the probability-flow ODE,
 * whose solution for Gaussian data is known: with D(x, σ) = μ + s²/(s² + σ²)·(x − μ),
 * x(σ) = μ + (x₀ − μ)·√(s² + σ²)/√(s² + σ₀²), so x(0) = μ + (x₀ − μ)·s/√(s² + σ₀²). 50 Karras steps, cfg 1 on the
 * cond Gaussian alone (the CFG++ samplers see it as both estimates).
 *
 * Tolerances (absolute, on values of order 1): every sampler ends with a first-order step from σ_min into 0 (x ← D,
 * or UniPC's stop at σ = 0.001), which alone errs by ≈ σ_min²/(2s²)·|x − μ| ≈ 1e-3; the third-order and higher
 * multistep samplers (ipndm, ipndm_v, deis, seeds_3, sa_solver, uni_pc) sit on that floor (measured ≤ 1.3e-3,
 * bound 4e-3); the second-order ones (res_multistep, seeds_2 and er_sde, whose stages start low) add the O(h²)
 * error of the coarse Karras steps at both ends (measured ≤ 3.1e-3, bound 1e-2); Euler-like first-order steps
 * (ddim, and gradient_estimation, whose 2·d − d_prev extrapolation is still first order) end ≈ 4.5e-2 off (bound
 * 1.2e-1). Each bound is about 3× the error measured, and far below the ~0.1–1 errors of a wrong coefficient.
 */
describe('deterministic ComfyUI samplers solve the probability-flow ODE', () => {
  const { sigmas, x0, exactAt, denoise } = odeProblem(vectors);
  const exact = exactAt(0);

  const cases: [SamplerName, SamplerOptions, number][] = [
    ['ipndm', {}, 4e-3],
    ['ipndm_v', {}, 4e-3],
    ['deis', {}, 4e-3],
    ['seeds_3', { eta: 0 }, 4e-3],
    ['sa_solver', { eta: 0 }, 4e-3],
    ['sa_solver_pece', { eta: 0 }, 4e-3],
    ['uni_pc', {}, 4e-3],
    ['uni_pc_bh2', {}, 4e-3],
    ['res_multistep', {}, 1e-2],
    ['res_multistep_cfg_pp', {}, 1e-2],
    ['res_multistep_ancestral', { eta: 0 }, 1e-2],
    ['seeds_2', { eta: 0 }, 1e-2],
    ['er_sde', { solver_type: 'ODE' }, 1e-2],
    ['ddim', {}, 1.2e-1],
    ['gradient_estimation', {}, 1.2e-1],
    ['gradient_estimation_cfg_pp', {}, 1.2e-1],
  ];
  it.each(cases)('%s %o within %s', async (name, options, tolerance) => {
    const run = testSamplerRun({
      sigmas,
      denoise,
      noise: () => {
        throw new Error(`${name} drew noise as an ODE`);
      },
    });
    // res_multistep draws noise (times σ_up = 0) on every step, as ComfyUI does: give it zeros.
    const quiet = name.startsWith('res_multistep') ? { ...run, noise: () => new Float32Array(x0.length) } : run;
    const out = await runSampler(name, x0, quiet, options);
    const error = Math.max(...exact.map((e, j) => Math.abs(out[j]! - e)));
    expect(error).toBeLessThan(tolerance);
  });
});
