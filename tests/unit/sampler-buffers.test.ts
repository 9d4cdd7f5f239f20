import { describe, expect, it } from 'vitest';
import { SamplerBuffers, samplerBuffersFor } from '../../nodes/runtime/diffusion/sampler-buffers.js';

describe('SamplerBuffers', () => {
  it('gives the same sample buffer for a length, and a new one for another length', () => {
    const buffers = new SamplerBuffers();
    const first = buffers.sample(8);
    expect(buffers.sample(8)).toBe(first);
    expect(buffers.sample(16)).not.toBe(first);
    expect(buffers.sample(16).length).toBe(16);
  });

  it('concatenates contexts once per sequence of arrays, in order, and keeps the most recent few', () => {
    const buffers = new SamplerBuffers(2);
    const uncond = Float32Array.from([1, 2]);
    const cond = Float32Array.from([3, 4]);
    const other = Float32Array.from([5, 6]);
    const pair = buffers.context([uncond, cond]);
    expect(Array.from(pair)).toEqual([1, 2, 3, 4]);
    expect(buffers.context([uncond, cond])).toBe(pair);
    // Same values in other arrays, or another order: another tensor.
    expect(buffers.context([Float32Array.from([1, 2]), cond])).not.toBe(pair);
    expect(Array.from(buffers.context([cond, uncond]))).toEqual([3, 4, 1, 2]);
    // Kept: the two most recently used; the pair was pushed out by the two above.
    expect(buffers.context([uncond, cond])).not.toBe(pair);
    const single = buffers.context([other]);
    expect(buffers.context([other])).toBe(single);
  });

  it('keeps one set per model object', () => {
    const model = {};
    expect(samplerBuffersFor(model)).toBe(samplerBuffersFor(model));
    expect(samplerBuffersFor({})).not.toBe(samplerBuffersFor(model));
  });
});
