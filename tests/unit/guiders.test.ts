import { describe, expect, it } from 'vitest';
import { plainCfg, rescaledCfg } from '../../nodes/runtime/diffusion/cfg-function.js';
import { combineEstimates, evaluatedSets, guidedSets, type Guider } from '../../nodes/runtime/diffusion/guider.js';
import type { DiffusionModel } from '../../nodes/runtime/diffusion/types.js';
import { ModelSampling, rescaleZeroTerminalSnr, SD_SCHEDULE } from '../../nodes/runtime/sampling/model-sampling.js';
import { SeededRandom } from '../../nodes/runtime/sampling/noise.js';

// The guider maths never touches the model; a typed stand-in is enough.
const model = { name: 'stand-in' } as unknown as DiffusionModel;
const entry = { embeddings: new Float32Array(4), tokens: 1, dim: 4, pooled: undefined };
const random = new SeededRandom(11);
const values = (n = 8): Float32Array => Float32Array.from({ length: n }, () => random.nextGaussian());

describe('guiders (ComfyUI CFGGuider, Guider_Basic, Guider_DualCFG)', () => {
  const cfg: Guider = { kind: 'cfg', model, positive: [entry], negative: [entry], cfg: 6 };
  const dual = (nested: boolean): Guider => ({
    kind: 'dual',
    model,
    cond1: [entry],
    cond2: [entry],
    negative: [entry],
    cfgConds: 3,
    cfgCond2Negative: 4,
    nested,
  });

  it('evaluates the sets in calc_cond_batch order, negative first, DualCFG’s middle as a negative prompt', () => {
    expect(guidedSets(cfg).map((set) => set.name)).toEqual(['negative', 'positive']);
    expect(guidedSets(dual(false)).map((set) => [set.name, set.promptType])).toEqual([
      ['negative', 'negative'],
      ['cond2', 'negative'],
      ['cond1', 'positive'],
    ]);
  });

  it('skips the negative at cfg 1 unless a CFG++ sampler needs the unconditional estimate', () => {
    expect(evaluatedSets({ ...cfg, cfg: 1 }, false)).toEqual([false, true]);
    expect(evaluatedSets({ ...cfg, cfg: 1 }, true)).toEqual([true, true]);
    expect(evaluatedSets(cfg, false)).toEqual([true, true]);
    const regular = dual(false);
    expect(evaluatedSets({ ...regular, cfgCond2Negative: 1 } as Guider, false)).toEqual([false, true, true]);
    expect(evaluatedSets({ ...regular, cfgCond2Negative: 1, cfgConds: 1 } as Guider, false)).toEqual([
      false,
      false,
      true,
    ]);
    expect(evaluatedSets({ ...dual(true), cfgCond2Negative: 1 } as Guider, false)).toEqual([true, true, true]);
  });

  it('mixes the estimates as ComfyUI does', () => {
    const [negative, middle, positive, x] = [values(), values(), values(), values()];
    const sigma = 2;
    const c = combineEstimates(cfg, [negative, positive], x, sigma, plainCfg);
    expect(Array.from(c.denoised)).toEqual(Array.from(negative, (u, i) => Math.fround(u + (positive[i]! - u) * 6)));
    expect(c.uncond).toBe(negative);
    const basic = combineEstimates({ kind: 'basic', model, positive: [entry] }, [positive], x, sigma, plainCfg);
    expect(basic.denoised).toBe(positive);
    expect(Array.from(basic.uncond)).toEqual(new Array(8).fill(0));
    const regular = combineEstimates(dual(false), [negative, middle, positive], x, sigma, plainCfg);
    const nested = combineEstimates(dual(true), [negative, middle, positive], x, sigma, plainCfg);
    for (let i = 0; i < 8; i++) {
      const m = middle[i]!;
      const n = negative[i]!;
      const p = positive[i]!;
      expect(regular.denoised[i]).toBeCloseTo(n + (m - n) * 4 + (p - m) * 3, 5);
      const text = m + (p - m) * 3;
      expect(nested.denoised[i]).toBeCloseTo(n + 4 * (text - n), 5);
    }
    expect(regular.uncond).toBe(negative);
    expect(nested.uncond).toBe(middle);
  });
});

describe('RescaleCFG (nodes_model_advanced.rescale_cfg)', () => {
  const sigma = 3;
  const [cond, uncond, x] = [values(16), values(16), values(16)];

  /** ComfyUI's formula written out in float64, one item. */
  function reference(multiplier: number, scale: number): number[] {
    const s2 = sigma * sigma + 1;
    const xs = Array.from(x, (v) => v / s2);
    const c = Array.from(cond, (v, i) => ((xs[i]! - v) * Math.sqrt(s2)) / sigma);
    const u = Array.from(uncond, (v, i) => ((xs[i]! - v) * Math.sqrt(s2)) / sigma);
    const xCfg = u.map((v, i) => v + scale * (c[i]! - v));
    const std = (a: number[]): number => {
      const mean = a.reduce((s, v) => s + v, 0) / a.length;
      return Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / (a.length - 1));
    };
    const ratio = std(c) / std(xCfg);
    const final = xCfg.map((v) => multiplier * v * ratio + (1 - multiplier) * v);
    return xs.map((v, i) => v - (final[i]! * sigma) / Math.sqrt(s2));
  }

  it('matches the formula, rescaling each batch item by its own spread', () => {
    const out = rescaledCfg(0.7, 8)(cond, uncond, 7, x, sigma);
    const first = reference(0.7, 7);
    // Item 0 of two 8-value items: the reference above uses all 16 values, so check item-wise with 16-value items too.
    const whole = rescaledCfg(0.7, 16)(cond, uncond, 7, x, sigma);
    whole.forEach((v, i) => expect(v).toBeCloseTo(first[i]!, 4));
    expect(Array.from(out.subarray(0, 8))).not.toEqual(Array.from(whole.subarray(0, 8)));
  });

  it('is plain CFG at multiplier 0', () => {
    const out = rescaledCfg(0, 16)(cond, uncond, 7, x, sigma);
    const plain = plainCfg(cond, uncond, 7);
    out.forEach((v, i) => expect(v).toBeCloseTo(plain[i]!, 4));
  });
});

describe('ModelSamplingDiscrete overrides', () => {
  it('zsnr: √ᾱ shifted to 0 at the end and scaled to keep its first value; the last ᾱ is 4.897e-8', () => {
    const sd = new ModelSampling(SD_SCHEDULE);
    const zsnr = new ModelSampling(SD_SCHEDULE, 'epsilon', undefined, true);
    expect(zsnr.sigmas[0]).toBeCloseTo(sd.sigmas[0]!, 6);
    expect(zsnr.alphasCumprod[999]).toBeCloseTo(4.8973451890853435e-8, 12);
    expect(zsnr.sigmaMax).toBeCloseTo(Math.sqrt((1 - 4.8973451890853435e-8) / 4.8973451890853435e-8), 1);
    // Mid-schedule: ComfyUI's rescale applied by hand at t = 500.
    const root = Array.from(sd.sigmas, (sigma) => 1 / Math.sqrt(sigma * sigma + 1));
    const value = ((root[500]! - root[999]!) * root[0]!) / (root[0]! - root[999]!);
    expect(zsnr.sigmas[500]).toBeCloseTo(Math.sqrt((1 - value * value) / (value * value)), 8);
    expect(rescaleZeroTerminalSnr(Float64Array.from([1, 2]))[1]).toBeCloseTo(4518.8, 0);
  });

  it('x0 takes the output as the estimate; img_to_img also skips the input scaling', () => {
    const x = Float32Array.from([2, 3]);
    const output = Float32Array.from([0.5, -1]);
    for (const prediction of ['x0', 'img_to_img'] as const) {
      const sampling = new ModelSampling(SD_SCHEDULE, prediction);
      expect(Array.from(sampling.denoised(x, output, 4))).toEqual([0.5, -1]);
    }
    expect(new ModelSampling(SD_SCHEDULE, 'img_to_img').inputScale(4)).toBe(1);
    expect(new ModelSampling(SD_SCHEDULE, 'x0').inputScale(4)).toBeCloseTo(1 / Math.sqrt(17), 10);
  });
});
