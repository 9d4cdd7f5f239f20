import type { ApiPrompt } from '../../shared/workflow.js';

/** Graph helpers over a prompt's links. Pure. */

/** The ids of the nodes that an input of `id` links to, in input order. */
export function linkedSources(prompt: ApiPrompt, id: string): string[] {
  const node = prompt[id];
  if (!node) return [];
  const sources: string[] = [];
  for (const value of Object.values(node.inputs)) {
    if (Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number')) sources.push(String(value[0]));
  }
  return sources;
}

/** The node and every node it reaches through links (its ancestors). */
export function nodesReachedFrom(prompt: ApiPrompt, start: string): string[] {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id) || !prompt[id]) continue;
    seen.add(id);
    stack.push(...linkedSources(prompt, id));
  }
  return [...seen];
}

/** Every cycle reachable from the start nodes, each as the list of its node ids (in link order). */
export function findCycles(prompt: ApiPrompt, starts: readonly string[]): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (id: string): void => {
    if (!prompt[id]) return;
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
export function planExecution(prompt: ApiPrompt, outputs: readonly string[], isCached: (id: string) => boolean): ExecutionPlan {
  const toRun: string[] = [];
  const cached: string[] = [];
  const visited = new Set<string>();
  const visit = (id: string): void => {
    if (visited.has(id) || !prompt[id]) return;
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
