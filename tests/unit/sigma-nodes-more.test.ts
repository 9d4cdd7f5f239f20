import { afterAll, describe, expect, it } from 'vitest';
import type { NodeClass } from '../../nodes/contract/node-definition.js';
import type { NodeContext } from '../../nodes/contract/node-context.js';
import { allNodes } from '../../nodes/index.js';
import { ModelSampling, SD_SCHEDULE } from '../../nodes/runtime/sampling/model-sampling.js';
import { makeTestEnv } from '../helpers/env.js';

/**
 * LaplaceScheduler, SetFirstSigma, ExtendIntermediateSigmas, SamplingPercentToSigma and ManualSigmas: ComfyUI's
 * widgets, its maths and its parsing, and clear errors where ComfyUI would fail obscurely.
 *
 * The expected lists are our float64 numpy re-derivation of get_sigmas_laplace (k_diffusion/sampling.py),
 * ExtendIntermediateSigmas and ModelSamplingDiscrete.percent_to_sigma on SD's scaled-linear table (as in
 * tests/fixtures/scheduler-vectors/make_scheduler_vectors.py), written out here because they are few. Tolerance as
 * there: 1e-9·(1 + |b|).
 */

const env = makeTestEnv('inkgraph-sigma-more-');
afterAll(() => env.cleanup());

const ctx: NodeContext = {
  nodeId: '1',
  promptId: 'sigma-nodes-more',
  signal: new AbortController().signal,
  env,
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
const sdModel = { sampling: new ModelSampling(SD_SCHEDULE) };

function expectClose(actual: unknown, expected: readonly number[], what: string): void {
  expect(Array.isArray(actual), what).toBe(true);
  const list: readonly unknown[] = Array.isArray(actual) ? actual : [];
  expect(list.length, `${what}: length`).toBe(expected.length);
  expected.forEach((b, j) => {
    const a = Number(list[j]);
    expect(Math.abs(a - b), `${what}[${j}]: ${a} vs ${b}`).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(b)));
  });
}

/** A σ node's run: its one list, checked to be what the editor's plot is sent too. */
async function sigmasOf(classType: string, inputs: Record<string, unknown>): Promise<unknown> {
  const result = await node(classType).run(inputs, ctx);
  expect(result.ui?.sigmas, `${classType} ui`).toEqual(result.outputs[0]);
  return result.outputs[0];
}

describe('LaplaceScheduler', () => {
  const defaults = { sigma_max: 14.614642, sigma_min: 0.0291675, mu: 0, beta: 0.5 };

  it('is get_sigmas_laplace: steps σ clamped to [σ_min, σ_max], crowded near e^μ, and no final 0', async () => {
    expectClose(
      await sigmasOf('LaplaceScheduler', { ...defaults, steps: 6 }),
      [14.614642, 1.5811190662193852, 1.1180270011029743, 0.8944327811523903, 0.6324634376784163, 0.0291675],
      'defaults, 6 steps',
    );
    expectClose(
      await sigmasOf('LaplaceScheduler', { steps: 7, sigma_max: 10, sigma_min: 0.1, mu: 1, beta: 1 }),
      [10, 8.154600847351718, 4.077361582264834, Math.E, 1.8122150684576481, 0.9061211256379667, 0.1],
      'μ 1, β 1, 7 steps',
    );
    expectClose(await sigmasOf('LaplaceScheduler', { ...defaults, steps: 1 }), [14.614642], 'one step');
    // torch.clamp with min above max gives max everywhere.
    expectClose(
      await sigmasOf('LaplaceScheduler', { ...defaults, steps: 4, sigma_min: 5, sigma_max: 2 }),
      [2, 2, 2, 2],
      'σ_min above σ_max',
    );
  });

  it('names the node and the field when σ_max 0 would make every σ 0, before and during the run', async () => {
    expect(node('LaplaceScheduler').validate({ sigma_max: 0 }, env)).toMatch(/^LaplaceScheduler: sigma_max: /);
    expect(node('LaplaceScheduler').validate(defaults, env)).toBeUndefined();
    await expect(node('LaplaceScheduler').run({ ...defaults, steps: 4, sigma_max: 0 }, ctx)).rejects.toThrow(
      /^LaplaceScheduler: sigma_max: /,
    );
  });
});

describe('SetFirstSigma', () => {
  it('replaces the first σ and keeps the rest, leaving its input list alone', async () => {
    const list = [14.6, 7, 3, 1, 0];
    expect(await sigmasOf('SetFirstSigma', { sigmas: list, sigma: 136 })).toEqual([136, 7, 3, 1, 0]);
    expect(await sigmasOf('SetFirstSigma', { sigmas: [0.5], sigma: 2 })).toEqual([2]);
    expect(list).toEqual([14.6, 7, 3, 1, 0]);
  });

  it('says which input is at fault for an empty list (ComfyUI raises an index error)', async () => {
    await expect(node('SetFirstSigma').run({ sigmas: [], sigma: 136 }, ctx)).rejects.toThrow(
      /^SetFirstSigma: sigmas: the list is empty/,
    );
  });
});

describe('ExtendIntermediateSigmas', () => {
  const list = [14.6, 7, 3, 1, 0];
  const extend = (inputs: Record<string, unknown>): Promise<unknown> =>
    sigmasOf('ExtendIntermediateSigmas', { sigmas: list, ...inputs });

  it('splits each step starting within [end_at_sigma, start_at_sigma] along the spacing curve', async () => {
    const wide = { steps: 3, start_at_sigma: -1, end_at_sigma: 2 };
    expectClose(
      await extend({ ...wide, spacing: 'linear' }),
      [
        14.6, 12.066666666666666, 9.533333333333333, 7, 5.666666666666667, 4.333333333333334, 3, 2.3333333333333335,
        1.6666666666666667, 1, 0,
      ],
      'linear',
    );
    expectClose(
      await extend({ ...wide, spacing: 'cosine' }),
      [14.6, 10.8, 8.018206931238266, 7, 5, 3.5358983848622456, 3, 2, 1.2679491924311228, 1, 0],
      'cosine',
    );
    expectClose(
      await extend({ ...wide, spacing: 'sine' }),
      [14.6, 13.581793068761733, 10.8, 7, 6.464101615137755, 5, 3, 2.7320508075688776, 2, 1, 0],
      'sine',
    );
    // Only the steps from 3 and from 1 start within [0.5, 5].
    expectClose(
      await extend({ steps: 4, start_at_sigma: 5, end_at_sigma: 0.5, spacing: 'linear' }),
      [14.6, 7, 3, 2.5, 2, 1.5, 1, 0.75, 0.5, 0.25, 0],
      'window',
    );
  });

  it('keeps the list at 1 step, and an empty list empty', async () => {
    expect(await extend({ steps: 1, start_at_sigma: -1, end_at_sigma: 0, spacing: 'sine' })).toEqual(list);
    expect(
      await sigmasOf('ExtendIntermediateSigmas', {
        sigmas: [],
        steps: 3,
        start_at_sigma: -1,
        end_at_sigma: 0,
        spacing: 'linear',
      }),
    ).toEqual([]);
  });
});

describe('SamplingPercentToSigma', () => {
  const sigmaOf = async (sampling_percent: number, return_actual_sigma = false): Promise<unknown> => {
    const result = await node('SamplingPercentToSigma').run(
      { model: sdModel, sampling_percent, return_actual_sigma },
      ctx,
    );
    expect(result.outputs).toHaveLength(1);
    return result.outputs[0];
  };

  it("is the model's percent_to_sigma: σ at timestep (1 − percent)·999", async () => {
    expectClose([await sigmaOf(0.25)], [4.086081071209322], '0.25');
    expectClose([await sigmaOf(0.5)], [1.6155802601603273], '0.5');
    expectClose([await sigmaOf(0.9, true)], [0.3437048175085522], '0.9, actual σ asked for');
  });

  it('gives the interval-check bounds at 0 and 1, or the actual σ_max and σ_min when asked', async () => {
    expect(await sigmaOf(0)).toBe(999999999.9);
    expect(await sigmaOf(1)).toBe(0);
    expectClose([await sigmaOf(0, true)], [14.614641229333639], 'σ_max');
    expectClose([await sigmaOf(1, true)], [0.029167158151720367], 'σ_min');
  });
});

describe('ManualSigmas', () => {
  const manual = (sigmas: string): Promise<unknown> => sigmasOf('ManualSigmas', { sigmas });

  it('reads every number in the text as ComfyUI’s pattern does, whatever separates them', async () => {
    expect(await manual('14.6, 7, 3, 1, 0')).toEqual([14.6, 7, 3, 1, 0]);
    expect(await manual('1, 0.5')).toEqual([1, 0.5]);
    expect(await manual('[14.6 7 ; 3]')).toEqual([14.6, 7, 3]);
    expect(await manual('+.5 -2')).toEqual([0.5, -2]);
    // The pattern has no exponent, and a sign after a digit starts a number: as Python's re.findall gives them.
    expect(await manual('1e-3')).toEqual([1, -3]);
    expect(await manual('3-2')).toEqual([3, -2]);
    expect(await manual('0.5.5')).toEqual([0.5, 0.5]);
    // Python's \d and float() take any Unicode decimal digit, such as a Chinese IME's full-width ones.
    expect(await manual('１４.６，７，０')).toEqual([14.6, 7, 0]);
  });

  it('names the node and the field for a text with no number, or a match float() refuses, before and during the run', async () => {
    const manualSigmas = node('ManualSigmas');
    expect(manualSigmas.validate({ sigmas: 'abc' }, env)).toBe('ManualSigmas: sigmas: no number in "abc"');
    expect(manualSigmas.validate({ sigmas: '' }, env)).toMatch(/^ManualSigmas: sigmas: no number/);
    expect(manualSigmas.validate({ sigmas: '1..5, 2' }, env)).toBe('ManualSigmas: sigmas: "1..5" is not a number');
    expect(manualSigmas.validate({ sigmas: '14.6, 0' }, env)).toBeUndefined();
    // A text that arrived through a link skips validation; the run says the same.
    await expect(manualSigmas.run({ sigmas: 'none' }, ctx)).rejects.toThrow(/^ManualSigmas: sigmas: no number/);
  });
});

describe('widgets, outputs and categories', () => {
  it("are ComfyUI's", () => {
    const laplace = node('LaplaceScheduler');
    expect(Object.keys(laplace.inputs)).toEqual(['steps', 'sigma_max', 'sigma_min', 'mu', 'beta']);
    expect(laplace.inputs).toMatchObject({
      steps: { kind: 'INT', default: 20, min: 1, max: 10000 },
      sigma_max: { default: 14.614642, min: 0, max: 5000, step: 0.01, round: false },
      sigma_min: { default: 0.0291675, min: 0, max: 5000, step: 0.01, round: false },
      mu: { kind: 'FLOAT', default: 0, min: -10, max: 10, step: 0.1, round: false },
      beta: { kind: 'FLOAT', default: 0.5, min: 0, max: 10, step: 0.1, round: false },
    });
    expect(laplace.category).toBe('sampling/schedulers');

    const setFirst = node('SetFirstSigma');
    expect(setFirst.inputs).toMatchObject({
      sigmas: { kind: 'SOCKET', type: 'SIGMAS' },
      sigma: { kind: 'FLOAT', default: 136, min: 0, max: 20000, step: 0.001, round: false },
    });

    const extend = node('ExtendIntermediateSigmas');
    expect(Object.keys(extend.inputs)).toEqual(['sigmas', 'steps', 'start_at_sigma', 'end_at_sigma', 'spacing']);
    expect(extend.inputs).toMatchObject({
      steps: { kind: 'INT', default: 2, min: 1, max: 100 },
      start_at_sigma: { kind: 'FLOAT', default: -1, min: -1, max: 20000, step: 0.01, round: false },
      end_at_sigma: { kind: 'FLOAT', default: 12, min: 0, max: 20000, step: 0.01, round: false },
      spacing: { kind: 'COMBO', options: ['linear', 'cosine', 'sine'] },
    });

    const percent = node('SamplingPercentToSigma');
    expect(percent.inputs).toMatchObject({
      model: { kind: 'SOCKET', type: 'MODEL' },
      sampling_percent: { kind: 'FLOAT', default: 0, min: 0, max: 1, step: 0.0001 },
      return_actual_sigma: {
        kind: 'BOOLEAN',
        default: false,
        tooltip:
          'Return the actual sigma value instead of the value used for interval checks.\nThis only affects results at 0.0 and 1.0.',
      },
    });
    expect(percent.outputs).toEqual([{ type: 'FLOAT', name: 'sigma_value' }]);

    const manual = node('ManualSigmas');
    expect(manual.inputs).toMatchObject({ sigmas: { kind: 'STRING', default: '1, 0.5', multiline: false } });
    expect(manual.category).toBe('experimental/custom_sampling');

    for (const classType of ['SetFirstSigma', 'ExtendIntermediateSigmas', 'SamplingPercentToSigma'])
      expect(node(classType).category, classType).toBe('sampling/sigmas');
    for (const classType of ['LaplaceScheduler', 'SetFirstSigma', 'ExtendIntermediateSigmas', 'ManualSigmas']) {
      expect(node(classType).outputs, classType).toEqual([{ type: 'SIGMAS', name: 'SIGMAS' }]);
      expect(node(classType).displayName, classType).toBe(classType);
    }
  });
});
