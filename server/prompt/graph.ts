import { ownValue } from '../../shared/own-property.js';
import type { ApiPrompt } from '../../shared/workflow.js';

/**
 * Graph helpers over a prompt's links. Pure, and without recursion: a prompt is input, and a chain of 100,000 nodes
 * must not exhaust the stack. Node ids are looked up as own properties only (a node may be named `constructor`).
 */

/** The ids of the nodes that an input of `id` links to, in input order. */
export function linkedSources(prompt: ApiPrompt, id: string): string[] {
  const node = ownValue(prompt, id);
  if (!node) return [];
  const sources: string[] = [];
  for (const value of Object.values(node.inputs)) {
    if (Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number'))
      sources.push(String(value[0]));
  }
  return sources;
}

/**
 * Depth-first over links with an explicit stack, visiting nodes in the order a recursive walk would: `enter` gets a
 * node and answers the nodes to visit under it (undefined: the node is not entered, and not left), `leave` runs once
 * all of those were visited.
 */
export function walkDepthFirst(
  roots: Iterable<string>,
  enter: (id: string) => readonly string[] | undefined,
  leave: (id: string) => void,
): void {
  const stack: { id: string; children: readonly string[]; next: number }[] = [];
  const push = (id: string): void => {
    const children = enter(id);
    if (children) stack.push({ id, children, next: 0 });
  };
  for (const root of roots) {
    push(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.children.length) push(top.children[top.next++]!);
      else {
        stack.pop();
        leave(top.id);
      }
    }
  }
}

/**
 * The start nodes and every node they reach through links (their ancestors), each once. `descend` (when given) says
 * whether to go on past a node; one it refuses is not listed either.
 */
export function nodesReachedFrom(
  prompt: ApiPrompt,
  starts: readonly string[],
  descend: (id: string) => boolean = () => true,
): string[] {
  const seen = new Set<string>();
  for (const start of starts) {
    const stack = [start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id) || !Object.hasOwn(prompt, id) || !descend(id)) continue;
      seen.add(id);
      for (const source of linkedSources(prompt, id)) stack.push(source);
    }
  }
  return [...seen];
}

/**
 * Cycles are listed until they hold this many node ids in all: every back link lists the path around it, and a
 * hostile prompt (a long ring, each node also linked to the first) would otherwise list n cycles of length n.
 */
export const CYCLE_LISTING_LIMIT = 1_000_000;

/** Every cycle reachable from the start nodes, each as the list of its node ids (in link order). */
export function findCycles(prompt: ApiPrompt, starts: readonly string[]): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const positionOnPath = new Map<string, number>();
  const cycles: string[][] = [];
  let listed = 0;
  walkDepthFirst(
    starts,
    (id) => {
      if (!Object.hasOwn(prompt, id)) return undefined;
      const current = state.get(id);
      if (current === 'done') return undefined;
      if (current === 'visiting') {
        if (listed < CYCLE_LISTING_LIMIT) {
          const cycle = path.slice(positionOnPath.get(id));
          cycles.push(cycle);
          listed += cycle.length;
        }
        return undefined;
      }
      state.set(id, 'visiting');
      positionOnPath.set(id, path.length);
      path.push(id);
      return linkedSources(prompt, id);
    },
    (id) => {
      path.pop();
      positionOnPath.delete(id);
      state.set(id, 'done');
    },
  );
  return cycles;
}

export interface ExecutionPlan {
  /** Nodes to run, in an order where every node comes after the nodes it needs. */
  readonly toRun: string[];
  /** Nodes the outputs need whose results are already cached. */
  readonly cached: string[];
}

/**
 * Plans a run: only what the outputs need, ancestors first; a cached node's ancestors are not needed.
 * Assumes a validated (acyclic) prompt.
 */
export function planExecution(
  prompt: ApiPrompt,
  outputs: readonly string[],
  isCached: (id: string) => boolean,
): ExecutionPlan {
  const toRun: string[] = [];
  const cached: string[] = [];
  const visited = new Set<string>();
  walkDepthFirst(
    outputs,
    (id) => {
      if (visited.has(id) || !Object.hasOwn(prompt, id)) return undefined;
      visited.add(id);
      if (isCached(id)) {
        cached.push(id);
        return undefined;
      }
      return linkedSources(prompt, id);
    },
    (id) => toRun.push(id),
  );
  return { toRun, cached };
}
