import { describe, expect, it } from 'vitest';
import { findCycles, planExecution } from '../../server/prompt/graph.js';
import { LruCache } from '../../server/worker/lru-cache.js';
import { computeSignatures } from '../../server/prompt/signature.js';
import type { ApiPrompt } from '../../shared/workflow.js';

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
    const plan = planExecution(prompt, ['4'], () => false);
    expect(plan.toRun).toEqual(['1', '2', '3', '4']);
    expect(plan.cached).toEqual([]);
  });

  it('does not run a node twice for two outputs, nor unreachable nodes', () => {
    const plan = planExecution(prompt, ['4', '5'], () => false);
    expect(plan.toRun).toEqual(['1', '2', '3', '4', '5']);
    expect(plan.toRun).not.toContain('6');
  });

  it('stops at cached nodes: their ancestors are not needed', () => {
    const plan = planExecution(prompt, ['4', '5'], (id) => id === '2' || id === '1');
    expect(plan.toRun).toEqual(['3', '4', '5']);
    expect(plan.cached.sort()).toEqual(['1', '2']);
  });

  it('finds cycles', () => {
    const cyclic: ApiPrompt = {
      a: { class_type: 'X', inputs: { i: ['b', 0] } },
      b: { class_type: 'X', inputs: { i: ['a', 0] } },
    };
    expect(findCycles(cyclic, ['a'])).toEqual([['a', 'b']]);
    expect(findCycles(prompt, ['4', '5'])).toEqual([]);
  });
});

describe('computeSignatures', () => {
  it('changes a node and everything below it when an input changes, nothing else', () => {
    const before = computeSignatures(prompt, new Map());
    const edited = structuredClone(prompt);
    edited['2']!.inputs.width = 16;
    const after = computeSignatures(edited, new Map());
    expect(after.get('1')).toBe(before.get('1'));
    expect(after.get('5')).toBe(before.get('5'));
    for (const id of ['2', '3', '4']) expect(after.get(id)).not.toBe(before.get(id));
  });

  it('includes fingerprints (a changed file re-runs its loader and descendants)', () => {
    const a = computeSignatures(prompt, new Map([['1', 'hash-a']]));
    const b = computeSignatures(prompt, new Map([['1', 'hash-b']]));
    expect(a.get('1')).not.toBe(b.get('1'));
    expect(a.get('4')).not.toBe(b.get('4'));
  });

  it('does not depend on input key order or node ids', () => {
    const reordered: ApiPrompt = {
      '10': { class_type: 'LoadImage', inputs: { image: 'a.png' } },
      '20': { class_type: 'ImageScale', inputs: { width: 8, image: ['10', 0] } },
    };
    const original = computeSignatures(prompt, new Map());
    const other = computeSignatures(reordered, new Map());
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
});
