import { describe, expect, it } from 'vitest';
import { BrownianTree, brownianNoiseSampler } from '../../nodes/runtime/sampling/brownian-tree.js';

const SIZE = 4000;

function stats(values: Float32Array): { mean: number; variance: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return { mean, variance: values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length };
}

describe('the seeded Brownian tree (BrownianTreeNoiseSampler)', () => {
  it('gives W(t) from the seed and t alone, whatever was asked before', () => {
    const a = new BrownianTree(5, [0], SIZE, 0.03, 14.6);
    const b = new BrownianTree(5, [0], SIZE, 0.03, 14.6);
    const early = a.at(2.5);
    b.at(9);
    b.at(0.4);
    expect(Array.from(b.at(2.5))).toEqual(Array.from(early));
    expect(Array.from(new BrownianTree(6, [0], SIZE, 0.03, 14.6).at(2.5))).not.toEqual(Array.from(early));
  });

  it('starts at 0 and has increments of variance |Δt|, independent over disjoint intervals', () => {
    const tree = new BrownianTree(9, [0], SIZE, 0, 10);
    expect(Array.from(tree.at(0)).every((v) => v === 0)).toBe(true);
    const w1 = tree.at(1);
    const w4 = tree.at(4);
    const w9 = tree.at(9);
    const first = w1;
    const second = w4.map((v, i) => v - w1[i]!);
    const third = w9.map((v, i) => v - w4[i]!);
    // 4000 samples: the sample variance is within ~3·√(2/4000) ≈ 7% of the true one.
    expect(stats(first).variance).toBeCloseTo(1, 0);
    expect(Math.abs(stats(second).variance / 3 - 1)).toBeLessThan(0.08);
    expect(Math.abs(stats(third).variance / 5 - 1)).toBeLessThan(0.08);
    const correlation =
      second.reduce((s, v, i) => s + v * third[i]!, 0) /
      Math.sqrt(stats(second).variance * stats(third).variance) /
      SIZE;
    expect(Math.abs(correlation)).toBeLessThan(0.05);
  });

  it('makes standard-normal noise for any step, the same for a step whatever the step count around it', () => {
    const sample = brownianNoiseSampler(3, [0, 1], SIZE / 2, 0.03, 14.6);
    const z = sample(7.2, 3.1);
    const { mean, variance } = stats(z);
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(Math.abs(variance - 1)).toBeLessThan(0.08);
    const again = brownianNoiseSampler(3, [0, 1], SIZE / 2, 0.03, 14.6);
    again(14.6, 7.2);
    expect(Array.from(again(7.2, 3.1))).toEqual(Array.from(z));
  });

  it('keys batch items by index, so an item’s noise does not depend on the batch', () => {
    const pair = brownianNoiseSampler(3, [0, 1], 100, 0.03, 14.6)(5, 2);
    const alone = brownianNoiseSampler(3, [1], 100, 0.03, 14.6)(5, 2);
    expect(Array.from(pair.subarray(100))).toEqual(Array.from(alone));
  });
});
