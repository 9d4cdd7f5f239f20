import { describe, expect, it } from 'vitest';
import { findCycles, planExecution, promptGraph } from '../../server/prompt/graph.js';
import { heldBytes, LruCache } from '../../server/worker/lru-cache.js';
import { SharedCachesStore } from '../../server/worker/shared-caches.js';
import { computeSignatures } from '../../server/prompt/signature.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { validatedFrom } from '../helpers/validated.js';

const prompt: ApiPrompt = {
  '1': { class_type: 'LoadImage', inputs: { image: 'a.png' } },
  '2': { class_type: 'ImageScale', inputs: { image: ['1', 0], width: 8 } },
  '3': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } },
  '4': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'x' } },
  '5': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
  '6': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
};

describe('planExecution', () => {
  it('runs only what the outputs need, ancestors first', () => {
    const plan = planExecution(validatedFrom(prompt, ['4']), () => false);
    expect(plan.toRun).toEqual(['1', '2', '3', '4']);
    expect(plan.cached).toEqual([]);
  });

  it('does not run a node twice for two outputs, nor unreachable nodes', () => {
    const plan = planExecution(validatedFrom(prompt, ['4', '5']), () => false);
    expect(plan.toRun).toEqual(['1', '2', '3', '4', '5']);
    expect(plan.toRun).not.toContain('6');
  });

  it('stops at cached nodes: their ancestors are not needed', () => {
    const plan = planExecution(validatedFrom(prompt, ['4', '5']), (id) => id === '2' || id === '1');
    expect(plan.toRun).toEqual(['3', '4', '5']);
    expect(plan.cached.sort()).toEqual(['1', '2']);
  });

  it('finds cycles', () => {
    const cyclic: ApiPrompt = {
      a: { class_type: 'X', inputs: { i: ['b', 0] } },
      b: { class_type: 'X', inputs: { i: ['a', 0] } },
    };
    expect(findCycles(promptGraph(cyclic), ['a'])).toEqual([['a', 'b']]);
    expect(findCycles(promptGraph(prompt), ['4', '5'])).toEqual([]);
  });
});

describe('computeSignatures', () => {
  it('changes a node and everything below it when an input changes, nothing else', () => {
    const before = computeSignatures(validatedFrom(prompt), new Map());
    const edited = structuredClone(prompt);
    edited['2']!.inputs.width = 16;
    const after = computeSignatures(validatedFrom(edited), new Map());
    expect(after.get('1')).toBe(before.get('1'));
    expect(after.get('5')).toBe(before.get('5'));
    for (const id of ['2', '3', '4']) expect(after.get(id)).not.toBe(before.get(id));
  });

  it('includes fingerprints (a changed file re-runs its loader and descendants)', () => {
    const a = computeSignatures(validatedFrom(prompt), new Map([['1', 'hash-a']]));
    const b = computeSignatures(validatedFrom(prompt), new Map([['1', 'hash-b']]));
    expect(a.get('1')).not.toBe(b.get('1'));
    expect(a.get('4')).not.toBe(b.get('4'));
  });

  it('does not depend on input key order or node ids', () => {
    const reordered: ApiPrompt = {
      '10': { class_type: 'LoadImage', inputs: { image: 'a.png' } },
      '20': { class_type: 'ImageScale', inputs: { width: 8, image: ['10', 0] } },
    };
    const original = computeSignatures(validatedFrom(prompt), new Map());
    const other = computeSignatures(validatedFrom(reordered), new Map());
    expect(other.get('20')).toBe(original.get('2'));
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry beyond its bound', () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, number>(2, { onEvict: (key) => evicted.push(key) });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(evicted).toEqual(['b']);
    expect(cache.has('a') && cache.has('c')).toBe(true);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(evicted).toEqual(['b', 'a', 'c']);
  });

  it('peek reads a value without making it recent; get does', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.peek('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.has('a')).toBe(false);
    expect(cache.get('b')).toBe(2);
    cache.set('d', 4);
    expect([cache.has('b'), cache.has('c'), cache.has('d')]).toEqual([true, false, true]);
  });

  it('counts the bytes it holds through set, replace, delete and clear', () => {
    const cache = new LruCache<string, Uint8Array>(10, { maxBytes: 100, sizeOf: heldBytes });
    cache.set('a', new Uint8Array(30));
    cache.set('b', new Uint8Array(30));
    cache.set('a', new Uint8Array(50));
    expect(cache.bytes).toBe(80);
    // 'b' is now the oldest: room for 'c' is made from it alone.
    cache.set('c', new Uint8Array(40));
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.bytes).toBe(90);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect(cache.bytes).toBe(40);
    cache.clear();
    expect(cache.bytes).toBe(0);
  });

  it('keeps nothing with a bound of 0 entries, and refuses negative bounds', () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, number>(0, { onEvict: (key) => evicted.push(key) });
    cache.set('a', 1);
    expect(cache.size).toBe(0);
    expect(evicted).toEqual(['a']);
    expect(() => new LruCache(-1)).toThrow(/maxEntries/);
    expect(() => new LruCache(1, { maxBytes: -1 })).toThrow(/maxBytes/);
  });

  it('over many sets, keeps exactly the newest entries', () => {
    const cache = new LruCache<number, number>(1000);
    for (let i = 0; i < 5000; i++) cache.set(i, i);
    expect(cache.size).toBe(1000);
    expect(cache.has(3999)).toBe(false);
    expect(cache.has(4000) && cache.has(4999)).toBe(true);
  });
});

describe('SharedCachesStore', () => {
  const store = (maxEntries: number) => {
    const disposed: string[] = [];
    const caches = new SharedCachesStore(maxEntries);
    const load = (key: string) =>
      caches.getOrCreate(
        key,
        () => Promise.resolve({ key }),
        (value) => {
          disposed.push(value.key);
        },
      );
    return { caches, disposed, load };
  };

  it('creates a value once per key and shares it', async () => {
    const { caches } = store(4);
    let created = 0;
    const create = () => Promise.resolve(++created);
    const [first, second] = await Promise.all([caches.getOrCreate('k', create), caches.getOrCreate('k', create)]);
    expect([first, second, created]).toEqual([1, 1, 1]);
  });

  it('disposes the least recently used value beyond its bound, before the caller goes on', async () => {
    const { caches, disposed, load } = store(2);
    await load('a');
    await load('b');
    await load('a');
    await load('c');
    expect(disposed).toEqual(['b']);
    expect(caches.size).toBe(2);
    await caches.clear();
    expect(disposed.sort()).toEqual(['a', 'b', 'c']);
    expect(caches.size).toBe(0);
  });

  it('keeps the value just created even with a bound below one', async () => {
    const { caches, disposed, load } = store(0);
    expect(await load('a')).toEqual({ key: 'a' });
    await load('b');
    expect(disposed).toEqual(['a']);
    expect(caches.size).toBe(1);
  });

  it('forgets a failed creation, so the next caller tries again', async () => {
    const { caches } = store(2);
    await expect(caches.getOrCreate('k', () => Promise.reject(new Error('no model')))).rejects.toThrow('no model');
    expect(caches.size).toBe(0);
    expect(await caches.getOrCreate('k', () => Promise.resolve(7))).toBe(7);
  });

  it('a failed disposal does not stop the others', async () => {
    const caches = new SharedCachesStore(1);
    const disposed: number[] = [];
    await caches.getOrCreate(
      'a',
      () => Promise.resolve(1),
      () => Promise.reject(new Error('stuck')),
    );
    await caches.getOrCreate(
      'b',
      () => Promise.resolve(2),
      (value) => void disposed.push(value),
    );
    await caches.getOrCreate('c', () => Promise.resolve(3));
    expect(disposed).toEqual([2]);
  });
});
