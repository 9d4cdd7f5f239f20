import { describe, expect, it } from 'vitest';
import {
  allCores,
  fastestThreads,
  threadCandidates,
  timedCandidates,
} from '../../nodes/runtime/onnx/thread-options.js';

describe('onnxruntime thread choice', () => {
  it('times one thread and all cores (up to 8) with and without spinning', () => {
    expect(threadCandidates(2)).toEqual([
      { threads: 1, spinning: false },
      { threads: 2, spinning: false },
      { threads: 2, spinning: true },
    ]);
    expect(threadCandidates(32)[1]).toEqual({ threads: 8, spinning: false });
    expect(threadCandidates(1)).toEqual([{ threads: 1, spinning: false }]);
    expect(allCores(4)).toEqual({ threads: 4, spinning: false });
    // The server times spinning only where the pool leaves a core free: never on 2 cores with 2 threads.
    expect(timedCandidates(2)).toEqual([
      { threads: 1, spinning: false },
      { threads: 2, spinning: false },
    ]);
    expect(timedCandidates(16)).toContainEqual({ threads: 8, spinning: true });
    // The sampling loop's model (the UNet) may spin on every core: one spinning pool in the process.
    expect(timedCandidates(2, true)).toEqual(threadCandidates(2));
    expect(timedCandidates(1, true)).toEqual([{ threads: 1, spinning: false }]);
  });

  it('lets only the model of the sampling loop spin on every core', () => {
    const [one, all, spin] = threadCandidates(2);
    const timings = [
      { options: one!, ms: 8.5 },
      { options: all!, ms: 9.4 },
      { options: spin!, ms: 6.5 },
    ];
    expect(fastestThreads(timings, 2, true)).toBe(spin);
    expect(fastestThreads(timings, 2)).toBe(one);
    // Spinning must still beat one thread by a quarter, as any pool.
    expect(fastestThreads([{ options: one!, ms: 8 }, ...timings.slice(1)], 2, true)).toBe(one);
  });

  it('keeps the fastest, but all cores without spinning unless another is 5% faster', () => {
    const [one, all, spin] = threadCandidates(4);
    expect(
      fastestThreads(
        [
          { options: one!, ms: 3 },
          { options: all!, ms: 5 },
          { options: spin!, ms: 4.9 },
        ],
        4,
      ),
    ).toBe(one);
    expect(
      fastestThreads(
        [
          { options: one!, ms: 9 },
          { options: all!, ms: 5 },
          { options: spin!, ms: 4.9 },
        ],
        4,
      ),
    ).toBe(all);
    // On four cores, four spinning threads would take every core: never chosen, however fast.
    expect(
      fastestThreads(
        [
          { options: one!, ms: 9 },
          { options: all!, ms: 5 },
          { options: spin!, ms: 1 },
        ],
        4,
      ),
    ).toBe(all);
    // On sixteen, eight spinning threads leave eight to the server: chosen when clearly faster.
    const [one16, all16, spin16] = threadCandidates(16);
    const timings = [
      { options: one16!, ms: 9 },
      { options: all16!, ms: 5 },
      { options: spin16!, ms: 4.5 },
    ];
    expect(fastestThreads(timings, 16)).toBe(spin16);
    expect(fastestThreads([], 4)).toEqual(all);
    // A pool must beat one thread by a quarter: a pool shares its cores with the server's own work.
    expect(
      fastestThreads(
        [
          { options: one!, ms: 5 },
          { options: all!, ms: 4.1 },
        ],
        4,
      ),
    ).toBe(one);
    expect(
      fastestThreads(
        [
          { options: one!, ms: 5 },
          { options: all!, ms: 3.9 },
        ],
        4,
      ),
    ).toBe(all);
  });
});
