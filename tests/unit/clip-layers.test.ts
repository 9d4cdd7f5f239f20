import { describe, expect, it } from 'vitest';
import {
  applyFinalLayerNorm,
  chooseSdLayer,
  fitFinalLayerNorm,
  hiddenStateCount,
  normaliseRows,
  sdxlLayerOutput,
} from '../../nodes/runtime/diffusion/clip-layers.js';
import { SeededRandom } from '../../nodes/runtime/sampling/noise.js';

function gaussian(random: SeededRandom, length: number, scale = 1, offset = 0): Float32Array {
  return Float32Array.from({ length }, () => random.nextGaussian() * scale + offset);
}

/** A layer norm with known weights, written out independently of the module under test. */
function layerNorm(values: Float32Array, dim: number, gamma: Float32Array, beta: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let row = 0; row < values.length / dim; row++) {
    const slice = values.subarray(row * dim, (row + 1) * dim);
    const mean = slice.reduce((a, b) => a + b, 0) / dim;
    const variance = slice.reduce((a, b) => a + (b - mean) ** 2, 0) / dim;
    for (let k = 0; k < dim; k++)
      out[row * dim + k] = ((slice[k]! - mean) / Math.sqrt(variance + 1e-5)) * gamma[k]! + beta[k]!;
  }
  return out;
}

describe('clip skip (CLIPSetLastLayer)', () => {
  const layers = { count: 12, hiddenStates: true, lastDropped: false };

  it("reads SD1's layer −k as hidden_states.(N+1−k) through the final norm; −1 and beyond the depth read the last", () => {
    expect(chooseSdLayer(layers, undefined)).toEqual({ kind: 'last' });
    expect(chooseSdLayer(layers, -1)).toEqual({ kind: 'last' });
    expect(chooseSdLayer(layers, -2)).toEqual({
      kind: 'hidden',
      output: 'hidden_states.11',
      finalNormFrom: 'hidden_states.12',
    });
    expect(chooseSdLayer(layers, -12)).toEqual({
      kind: 'hidden',
      output: 'hidden_states.1',
      finalNormFrom: 'hidden_states.12',
    });
    expect(chooseSdLayer(layers, -13)).toEqual({ kind: 'last' });
  });

  it("counts diffusers' SD2 export as OpenCLIP without its last layer: −2 is its last, −1 cannot be run", () => {
    const sd2 = { count: 23, hiddenStates: true, lastDropped: true };
    expect(chooseSdLayer(sd2, -2)).toEqual({ kind: 'last' });
    expect(chooseSdLayer(sd2, -3)).toEqual({
      kind: 'hidden',
      output: 'hidden_states.22',
      finalNormFrom: 'hidden_states.23',
    });
    expect(() => chooseSdLayer(sd2, -1)).toThrow(/cannot stop at layer -1/);
  });

  it('says how to re-export when the hidden states are missing', () => {
    expect(() => chooseSdLayer({ count: 2, hiddenStates: false, lastDropped: false }, -2)).toThrow(
      /no hidden_states\.\* outputs.*re-export/,
    );
    // Beyond a known depth ComfyUI reads the last layer, which every export has.
    expect(chooseSdLayer({ count: 2, hiddenStates: false, lastDropped: false }, -3)).toEqual({ kind: 'last' });
  });

  it("reads SDXL's layers without the norm", () => {
    const names = ['last_hidden_state', ...Array.from({ length: 13 }, (_, i) => `hidden_states.${i}`)];
    expect(hiddenStateCount(names)).toBe(12);
    expect(sdxlLayerOutput(names, -2)).toBe('hidden_states.11');
    expect(sdxlLayerOutput(names, -1)).toBe('hidden_states.12');
    expect(sdxlLayerOutput(names, -20)).toBe('last_hidden_state');
  });

  it('recovers the final layer norm from the last layer before and after it, and applies it to another layer', () => {
    const random = new SeededRandom(5);
    const dim = 16;
    const rows = 77 * 2;
    const gamma = gaussian(random, dim, 0.5, 1);
    const beta = gaussian(random, dim, 0.2);
    const last = gaussian(random, rows * dim, 2, 0.3);
    const after = layerNorm(last, dim, gamma, beta);
    const fitted = fitFinalLayerNorm(last, after, dim);
    for (let k = 0; k < dim; k++) {
      expect(fitted.gamma[k]).toBeCloseTo(gamma[k]!, 4);
      expect(fitted.beta[k]).toBeCloseTo(beta[k]!, 4);
    }
    const other = gaussian(random, rows * dim, 3, -1);
    const expected = layerNorm(other, dim, gamma, beta);
    const applied = applyFinalLayerNorm(other, last, after, dim);
    for (let i = 0; i < expected.length; i += 37) expect(applied[i]).toBeCloseTo(expected[i]!, 4);
    const normalised = normaliseRows(Float32Array.of(1, 3), 2);
    expect(normalised[0]).toBeCloseTo(-1 / Math.sqrt(1 + 1e-5), 6);
  });
});
