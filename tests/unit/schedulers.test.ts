import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { NodeClass } from '../../nodes/contract/node-definition.js';
import type { NodeContext } from '../../nodes/contract/node-context.js';
import { allNodes } from '../../nodes/index.js';
import { betaQuantile, regularizedIncompleteBeta } from '../../nodes/runtime/sampling/beta-distribution.js';
import { ModelSampling, SD_SCHEDULE } from '../../nodes/runtime/sampling/model-sampling.js';
import { roundHalfEven } from '../../nodes/runtime/sampling/round-half-even.js';
import { computeSigmas, schedulerNames, type SchedulerName } from '../../nodes/runtime/sampling/schedulers.js';
import { makeTestEnv } from '../helpers/env.js';

/**
 * Schedulers and σ nodes against tests/fixtures/scheduler-vectors/scheduler-vectors.json, our float64 numpy
 * re-derivation of ComfyUI's maths (make_scheduler_vectors.py; the beta scheduler's quantiles from scipy).
 *
 * Tolerance |a − b| ≤ 1e-9·(1 + |b|): both sides are float64 and differ only in the order of a few operations
 * (linspace, interpolation), which moves results by ulps; a wrong formula or a σ table entry off by one index moves
 * them by 1e-4 or more.
 */
const numbers = z.array(z.number());
const vectorsFile = z.object({
  schedulers: z.record(z.string(), z.record(z.string(), z.record(z.string(), numbers))),
  beta_tie_alternatives: z.record(z.string(), z.record(z.string(), numbers)),
  beta_ppf: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])),
  nodes: z.record(
    z.string(),
    z.array(
      z.object({ inputs: z.record(z.string(), z.union([z.number(), z.string(), numbers])), outputs: z.array(numbers) }),
    ),
  ),
});
const vectors = vectorsFile.parse(
  JSON.parse(readFileSync(new URL('../fixtures/scheduler-vectors/scheduler-vectors.json', import.meta.url), 'utf8')),
);

const tables: Record<string, ModelSampling> = {
  sd: new ModelSampling(SD_SCHEDULE),
  sd_lcm: new ModelSampling(SD_SCHEDULE, 'epsilon', 20),
};

function expectClose(actual: readonly unknown[], expected: readonly number[], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  expected.forEach((b, j) => {
    const a = actual[j];
    expect(typeof a, `${what}[${j}]`).toBe('number');
    expect(Math.abs(Number(a) - b), `${what}[${j}]: ${String(a)} vs ${b}`).toBeLessThanOrEqual(
      1e-9 * (1 + Math.abs(b)),
    );
  });
}

describe('scheduler names', () => {
  it("are ComfyUI's SCHEDULER_NAMES in its order, then Inkgraph's lcm", () => {
    expect(schedulerNames).toEqual([
      'simple',
      'sgm_uniform',
      'karras',
      'exponential',
      'ddim_uniform',
      'beta',
      'normal',
      'linear_quadratic',
      'kl_optimal',
      'lcm',
    ]);
  });
});

describe('the beta distribution', () => {
  it('inverts like scipy.stats.beta.ppf, shapes 0.05 to 50, tails to 1e-12', () => {
    for (const [p, a, b, expected] of vectors.beta_ppf) {
      const actual = betaQuantile(p, a, b);
      const error = Math.abs(actual - expected);
      expect(error, `ppf(${p}; ${a}, ${b}) = ${actual}, scipy ${expected}`).toBeLessThanOrEqual(
        Math.max(1e-12 * expected, 1e-15),
      );
    }
  });

  it('has a CDF that its quantile inverts, and known closed forms', () => {
    // Beta(1, 1) is uniform; Beta(2, 1) has CDF x²; Beta(½, ½) is the arcsine law, CDF (2/π)·asin √x.
    expect(regularizedIncompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(regularizedIncompleteBeta(0.3, 2, 1)).toBeCloseTo(0.09, 14);
    expect(regularizedIncompleteBeta(0.2, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(0.2)), 13);
    for (const p of [0.01, 0.3, 0.77])
      expect(regularizedIncompleteBeta(betaQuantile(p, 0.6, 3), 0.6, 3)).toBeCloseTo(p, 13);
  });

  it('rounds halves to even, as numpy.rint and Python round do', () => {
    expect([0.5, 1.5, 2.5, 499.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 500, 2, 3]);
  });
});

describe('schedulers against the reference vectors', () => {
  const cases = Object.entries(vectors.schedulers).flatMap(([table, byName]) =>
    Object.entries(byName).flatMap(([name, bySteps]) =>
      Object.entries(bySteps).map(([steps, expected]) => ({ table, name, steps: Number(steps), expected })),
    ),
  );

  it('cover every ComfyUI scheduler on both tables', () => {
    const names = new Set(cases.map((c) => c.name));
    expect([...names]).toEqual(schedulerNames.filter((name) => name !== 'lcm'));
    expect(new Set(cases.map((c) => c.table))).toEqual(new Set(['sd', 'sd_lcm']));
  });

  it.each(schedulerNames.filter((name) => name !== 'lcm'))('%s', (name) => {
    for (const c of cases.filter((entry) => entry.name === name)) {
      const actual = computeSigmas(tables[c.table]!, c.name as SchedulerName, c.steps);
      // The beta scheduler's symmetric median is a half index on an odd table: scipy rounds its ppf there an ulp
      // either way by shape, so the list with that one index rounded the other way is ComfyUI's maths too.
      const alternative = name === 'beta' ? vectors.beta_tie_alternatives[c.table]?.[String(c.steps)] : undefined;
      const matches = (expected: readonly number[]): boolean =>
        expected.length === actual.length && expected.every((b, j) => Math.abs(actual[j]! - b) <= 1e-9 * (1 + b));
      if (alternative && matches(alternative)) continue;
      expectClose(actual, c.expected, `${c.table} ${name} ${c.steps}`);
    }
  });

  it('beta keeps each table entry once, so many steps give fewer σ', () => {
    const sigmas = computeSigmas(tables.sd!, 'beta', 1000);
    expect(sigmas.length).toBeLessThan(1001);
    expect(new Set(sigmas).size).toBe(sigmas.length);
  });
});

const ctx: NodeContext = {
  nodeId: '1',
  promptId: 'schedulers',
  signal: new AbortController().signal,
  env: makeTestEnv('inkgraph-schedulers-'),
  caches: { getOrCreate: (_key, create) => create(), clear: async () => {} },
  prompt: {},
  extraPngInfo: undefined,
  previewMethod: 'none',
  previewEvery: 1,
  memoryBudgetBytes: Number.POSITIVE_INFINITY,
  progress: () => {},
  throwIfInterrupted: () => {},
};

function node(classType: string): NodeClass {
  const found = allNodes.find((entry) => entry.classType === classType);
  if (!found) throw new Error(`no node ${classType}`);
  return found;
}

/** The nodes read only `model.sampling` of a MODEL. */
const sdModel = { sampling: tables.sd };

describe('σ nodes against the reference vectors', () => {
  it.each(Object.keys(vectors.nodes))('%s', async (classType) => {
    const definition = node(classType);
    const usesModel = 'model' in definition.inputs;
    for (const { inputs, outputs } of vectors.nodes[classType]!) {
      const what = `${classType} ${JSON.stringify(inputs).slice(0, 80)}`;
      const result = await definition.run(usesModel ? { ...inputs, model: sdModel } : inputs, ctx);
      expect(result.outputs.length, what).toBe(outputs.length);
      outputs.forEach((expected, index) => {
        const actual = result.outputs[index];
        expect(Array.isArray(actual), what).toBe(true);
        expectClose(Array.isArray(actual) ? actual : [], expected, `${what} output ${index}`);
      });
    }
  });

  it('every σ node shows its list in the UI output, split nodes with where the low half starts', async () => {
    const basic = await node('BasicScheduler').run({ model: sdModel, scheduler: 'karras', steps: 5, denoise: 1 }, ctx);
    expect(basic.ui?.sigmas).toEqual(basic.outputs[0]);
    const list = [14, 8, 4, 2, 1, 0];
    const split = await node('SplitSigmas').run({ sigmas: list, step: 2 }, ctx);
    expect(split.ui).toEqual({ sigmas: list, split: [2] });
    // 5 steps · 0.4 = 2 steps for the low half: σ_3…σ_5.
    const byDenoise = await node('SplitSigmasDenoise').run({ sigmas: list, denoise: 0.4 }, ctx);
    expect(byDenoise.outputs).toEqual([
      [14, 8, 4, 2],
      [2, 1, 0],
    ]);
    expect(byDenoise.ui?.split).toEqual([3]);
  });
});

describe('σ node widgets', () => {
  it("have ComfyUI's names, defaults, ranges, outputs and categories", () => {
    const karras = node('KarrasScheduler');
    expect(Object.keys(karras.inputs)).toEqual(['steps', 'sigma_max', 'sigma_min', 'rho']);
    expect(karras.inputs.sigma_max).toMatchObject({ default: 14.614642, min: 0, max: 5000, step: 0.01, round: false });
    expect(karras.inputs.rho).toMatchObject({ default: 7, min: 0, max: 100 });
    expect(node('PolyexponentialScheduler').inputs.rho).toMatchObject({ default: 1 });
    expect(node('VPScheduler').inputs).toMatchObject({
      beta_d: { default: 19.9, max: 5000 },
      beta_min: { default: 0.1 },
      eps_s: { default: 0.001, max: 1, step: 0.0001 },
    });
    expect(Object.keys(node('BasicScheduler').inputs)).toEqual(['model', 'scheduler', 'steps', 'denoise']);
    expect(node('SDTurboScheduler').inputs.steps).toMatchObject({ default: 1, min: 1, max: 10 });
    expect(node('AlignYourStepsScheduler').inputs).toMatchObject({
      model_type: { options: ['SD1', 'SDXL', 'SVD'] },
      steps: { default: 10 },
    });
    expect(node('BetaSamplingScheduler').inputs).toMatchObject({
      alpha: { default: 0.6, max: 50 },
      beta: { default: 0.6 },
    });
    expect(node('SplitSigmas').outputs.map((output) => output.name)).toEqual(['high_sigmas', 'low_sigmas']);
    expect(node('SplitSigmasDenoise').outputs.map((output) => output.name)).toEqual(['high_sigmas', 'low_sigmas']);
    expect(node('FlipSigmas').outputs).toEqual([{ type: 'SIGMAS', name: 'SIGMAS' }]);
    expect(node('BasicScheduler').category).toBe('sampling/schedulers');
    expect(node('SplitSigmas').category).toBe('sampling/sigmas');
  });

  it('name the node and the field when a value would break the schedule, before and during the run', async () => {
    const env = ctx.env;
    expect(node('KarrasScheduler').validate({ steps: 10, rho: 0 }, env)).toMatch(
      /^KarrasScheduler: rho: must be above 0/,
    );
    expect(node('KarrasScheduler').validate({ steps: 10, rho: 7 }, env)).toBeUndefined();
    expect(node('ExponentialScheduler').validate({ sigma_min: 0 }, env)).toMatch(/^ExponentialScheduler: sigma_min:/);
    expect(node('PolyexponentialScheduler').validate({ sigma_max: 0 }, env)).toMatch(
      /^PolyexponentialScheduler: sigma_max:/,
    );
    expect(node('VPScheduler').validate({ beta_d: 0, beta_min: 0 }, env)).toMatch(/^VPScheduler: beta_d:/);
    expect(node('BetaSamplingScheduler').validate({ beta: 0 }, env)).toMatch(/^BetaSamplingScheduler: beta:/);
    // A value that arrived through a link skips validation; the run says the same.
    await expect(
      node('BetaSamplingScheduler').run({ model: sdModel, steps: 10, alpha: 0, beta: 0.6 }, ctx),
    ).rejects.toThrow(/^BetaSamplingScheduler: alpha: must be above 0/);
  });
});
