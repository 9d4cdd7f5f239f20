import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CYCLE_LISTING_LIMIT,
  findCycles,
  nodesReachedFrom,
  planExecution,
  promptGraph,
  walkDepthFirst,
} from '../../server/prompt/graph.js';
import { computeSignatures } from '../../server/prompt/signature.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { invertChain } from '../helpers/prompts.js';
import { validatedFrom } from '../helpers/validated.js';

/**
 * The graph walks are iterative: the same results, in the same order, as the recursive walks they replaced (kept
 * here as references), and chains of 100,000 nodes do not exhaust the stack.
 */

// ---- references: the recursive algorithms as they were, over own properties --------------------------------

function linkedSources(prompt: ApiPrompt, id: string): string[] {
  return promptGraph(prompt).sources(id).slice();
}

function referenceCycles(prompt: ApiPrompt, starts: readonly string[]): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (id: string): void => {
    if (!Object.hasOwn(prompt, id)) return;
    const current = state.get(id);
    if (current === 'done') return;
    if (current === 'visiting') {
      cycles.push(path.slice(path.indexOf(id)));
      return;
    }
    state.set(id, 'visiting');
    path.push(id);
    for (const source of linkedSources(prompt, id)) visit(source);
    path.pop();
    state.set(id, 'done');
  };
  for (const start of starts) visit(start);
  return cycles;
}

function referencePlan(
  prompt: ApiPrompt,
  outputs: readonly string[],
  isCached: (id: string) => boolean,
): { toRun: string[]; cached: string[] } {
  const toRun: string[] = [];
  const cached: string[] = [];
  const visited = new Set<string>();
  const visit = (id: string): void => {
    if (visited.has(id) || !Object.hasOwn(prompt, id)) return;
    visited.add(id);
    if (isCached(id)) {
      cached.push(id);
      return;
    }
    for (const source of linkedSources(prompt, id)) visit(source);
    toRun.push(id);
  };
  for (const output of outputs) visit(output);
  return { toRun, cached };
}

function referenceSignatures(prompt: ApiPrompt, fingerprints: ReadonlyMap<string, string>): Map<string, string> {
  const signatures = new Map<string, string>();
  const compute = (id: string, trail: Set<string>): string => {
    const known = signatures.get(id);
    if (known) return known;
    if (!Object.hasOwn(prompt, id)) return 'missing';
    const node = prompt[id]!;
    if (trail.has(id)) return 'cycle';
    trail.add(id);
    const inputs = Object.keys(node.inputs)
      .sort()
      .map((name) => {
        const value = node.inputs[name];
        if (
          Array.isArray(value) &&
          value.length === 2 &&
          (typeof value[0] === 'string' || typeof value[0] === 'number')
        ) {
          const slot: unknown = value[1];
          return [name, 'LINK', compute(String(value[0]), trail), slot];
        }
        return [name, 'CONST', value];
      });
    trail.delete(id);
    const signature = createHash('sha256')
      .update(JSON.stringify([node.class_type, fingerprints.get(id) ?? null, inputs]))
      .digest('hex');
    signatures.set(id, signature);
    return signature;
  };
  for (const id of Object.keys(prompt)) compute(id, new Set());
  return signatures;
}

// ---- graphs ------------------------------------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32), so a failing graph can be rebuilt from its seed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['1', '2', '3', '10', 'a', 'b', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'x:1', '7'];

/**
 * A random graph over NAMES: links back and forth (cycles), to missing nodes, numeric ids, constants. As validation
 * leaves it (`acyclic`): links only to nodes listed before, which exist.
 */
function randomPrompt(seed: number, acyclic = false): ApiPrompt {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const prompt: ApiPrompt = {};
  for (const id of NAMES) {
    if (next() < 0.2) continue;
    const inputs: Record<string, unknown> = {};
    const count = Math.floor(next() * 4);
    const before = Object.keys(prompt);
    for (let i = 0; i < count; i++) {
      const roll = next();
      const targets = acyclic ? before : [...NAMES, 'missing'];
      const numeric = (acyclic ? before : ['1', '2', '3']).filter((name) => /^[123]$/.test(name));
      inputs[pick(['image', 'b', 'a', 'z', 'toString'])] =
        roll < 0.6 && targets.length > 0
          ? [pick(targets), Math.floor(next() * 2)]
          : roll < 0.7 && numeric.length > 0
            ? [Number(pick(numeric)), 0]
            : roll;
    }
    prompt[id] = { class_type: pick(['LoadImage', 'ImageInvert', 'SaveImage']), inputs };
  }
  return prompt;
}

describe('iterative graph walks give the recursive walks’ results, in their order', () => {
  it('on 300 random graphs with cycles, missing links and prototype-named ids', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const prompt = randomPrompt(seed);
      const starts = Object.keys(prompt).filter((_id, i) => i % 2 === 0);
      expect(findCycles(promptGraph(prompt), starts), `seed ${seed}`).toEqual(referenceCycles(prompt, starts));
    }
  });

  it('plans and signs 300 random validated graphs with numeric and prototype-named ids', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const prompt = randomPrompt(seed, true);
      const starts = Object.keys(prompt).filter((_id, i) => i % 2 === 0);
      const cachedIds = new Set(Object.keys(prompt).filter((_id, i) => i % 3 === 1));
      const validated = validatedFrom(prompt, starts);
      expect(
        planExecution(validated, () => false),
        `seed ${seed}`,
      ).toEqual(referencePlan(prompt, starts, () => false));
      expect(
        planExecution(validated, (id) => cachedIds.has(id)),
        `seed ${seed}`,
      ).toEqual(referencePlan(prompt, starts, (id) => cachedIds.has(id)));
      const fingerprints = new Map([[Object.keys(prompt)[0] ?? '', 'file-hash']]);
      expect(computeSignatures(validatedFrom(prompt), fingerprints), `seed ${seed}`).toEqual(
        referenceSignatures(prompt, fingerprints),
      );
    }
  });

  it('walkDepthFirst enters in preorder and leaves in postorder, skipping what enter refuses', () => {
    const children: Record<string, string[]> = { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] };
    const entered: string[] = [];
    const left: string[] = [];
    const seen = new Set<string>();
    walkDepthFirst(
      ['a', 'c'],
      (id) => {
        if (seen.has(id)) return undefined;
        seen.add(id);
        entered.push(id);
        return children[id];
      },
      (id) => left.push(id),
    );
    expect(entered).toEqual(['a', 'b', 'd', 'c']);
    expect(left).toEqual(['d', 'b', 'c', 'a']);
  });
});

describe('chains of 100,000 nodes', () => {
  const length = 100_000;
  const prompt = invertChain(length, 'a.png');
  const ids = ['n0', ...Array.from({ length }, (_, i) => `n${i + 1}`), 'out'];

  it('plans every node, ancestors first', () => {
    const validated = validatedFrom(prompt, ['out']);
    const plan = planExecution(validated, () => false);
    expect(plan.toRun).toEqual(ids);
    expect(planExecution(validated, (id) => id === 'n50000').toRun).toEqual(ids.slice(50_001));
  });

  it('finds no cycle in a chain, and the one cycle of a ring', () => {
    expect(findCycles(promptGraph(prompt), ['out'])).toEqual([]);
    const ring = invertChain(length, 'a.png');
    ring.n0 = { class_type: 'ImageInvert', inputs: { image: [`n${length}`, 0] } };
    const cycles = findCycles(promptGraph(ring), ['out']);
    expect(cycles).toHaveLength(1);
    // Entered from the output: n100000 … n1, n0, and n0 links back to n100000.
    expect(cycles[0]).toEqual(ids.slice(0, -1).reverse());
  });

  it('gives each node its own signature, a change at the root changing all of them', () => {
    // Hashed from the output down: the first id listed is the far end of the chain.
    const reversed: ApiPrompt = Object.fromEntries(Object.entries(prompt).reverse());
    const signatures = computeSignatures(validatedFrom(reversed), new Map());
    const validated = validatedFrom(prompt);
    expect(computeSignatures(validated, new Map())).toEqual(signatures);
    expect(new Set(signatures.values()).size).toBe(ids.length);
    const changed = computeSignatures(validated, new Map([['n0', 'other file']]));
    expect(ids.every((id) => changed.get(id) !== signatures.get(id))).toBe(true);
  });

  it('lists the nodes an output reaches, once each', () => {
    const graph = promptGraph(prompt);
    const reached = nodesReachedFrom(graph, ['out', 'n5']);
    expect(reached).toHaveLength(ids.length);
    expect(new Set(reached)).toEqual(new Set(ids));
    expect(nodesReachedFrom(graph, ['out'], (id) => id !== 'n99990')).toHaveLength(11);
  });

  it('bounds the cycles listed when the far end of a chain links back to many nodes near its start', () => {
    // Fifty cycles of ~100,000 nodes each: listing all would take five million ids.
    const looped = invertChain(length, 'a.png');
    looped.n0 = {
      class_type: 'ImageInvert',
      inputs: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`back${i}`, [`n${length - i}`, 0]])),
    };
    const cycles = findCycles(promptGraph(looped), ['out']);
    const listed = cycles.reduce((sum, cycle) => sum + cycle.length, 0);
    expect(listed).toBeGreaterThanOrEqual(CYCLE_LISTING_LIMIT);
    expect(listed).toBeLessThanOrEqual(CYCLE_LISTING_LIMIT + length + 1);
  });
});

describe('node ids named like Object.prototype members', () => {
  it('are ordinary ids to every walk, and links to absent ones lead nowhere', () => {
    const prompt: ApiPrompt = {
      constructor: { class_type: 'LoadImage', inputs: { image: 'a.png' } },
      toString: { class_type: 'ImageInvert', inputs: { image: ['constructor', 0], other: ['valueOf', 0] } },
      hasOwnProperty: { class_type: 'PreviewImage', inputs: { images: ['toString', 0], more: ['__proto__', 0] } },
    };
    const graph = promptGraph(prompt);
    expect(graph.sources('valueOf')).toEqual([]);
    expect(graph.sources('__proto__')).toEqual([]);
    expect(findCycles(graph, ['hasOwnProperty', 'valueOf'])).toEqual([]);
    expect(nodesReachedFrom(graph, ['hasOwnProperty', '__defineGetter__']).sort()).toEqual([
      'constructor',
      'hasOwnProperty',
      'toString',
    ]);
    // Validated, without its links to absent nodes (validation refuses those).
    const linked: ApiPrompt = {
      constructor: { class_type: 'LoadImage', inputs: { image: 'a.png' } },
      toString: { class_type: 'ImageInvert', inputs: { image: ['constructor', 0] } },
      hasOwnProperty: { class_type: 'PreviewImage', inputs: { images: ['toString', 0] } },
    };
    const validated = validatedFrom(linked, ['hasOwnProperty']);
    expect(planExecution(validated, () => false).toRun).toEqual(['constructor', 'toString', 'hasOwnProperty']);
    const signatures = computeSignatures(validated, new Map());
    expect([...signatures.keys()]).toEqual(['constructor', 'toString', 'hasOwnProperty']);
  });
});
