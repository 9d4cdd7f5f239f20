import { ownValue } from '../../shared/own-property.js';
import { isLink, type ApiPrompt } from '../../shared/workflow.js';
import { linkSources, type ValidatedPrompt } from './validated-prompt.js';

/**
 * Graph walks over a prompt's links. Pure, and without recursion: a prompt is input, and a chain of 100,000 nodes
 * must not exhaust the stack. Node ids are looked up as own properties only (a node may be named `constructor`).
 */

/** The nodes of a prompt and the links between them, as the walks see them. */
export interface LinkGraph {
  has(id: string): boolean;
  /** The ids of the nodes that the inputs of `id` link to, in input order (none for an absent node). */
  sources(id: string): readonly string[];
}

/** A prompt as it arrives, before validation: its links are the inputs shaped like one. */
export function promptGraph(prompt: ApiPrompt): LinkGraph {
  return {
    has: (id) => Object.hasOwn(prompt, id),
    sources: (id) => {
      const node = ownValue(prompt, id);
      if (!node) return [];
      const sources: string[] = [];
      for (const value of Object.values(node.inputs)) if (isLink(value)) sources.push(String(value[0]));
      return sources;
    },
  };
}

/** A validated prompt: the nodes its outputs need, and their typed links. */
export function validatedGraph(prompt: ValidatedPrompt): LinkGraph {
  return {
    has: (id) => prompt.nodes.has(id),
    sources: (id) => {
      const node = prompt.nodes.get(id);
      return node ? linkSources(node) : [];
    },
  };
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
    for (let top = stack.at(-1); top; top = stack.at(-1)) {
      const child = top.children[top.next];
      if (child !== undefined) {
        top.next += 1;
        push(child);
      } else {
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
  graph: LinkGraph,
  starts: readonly string[],
  descend: (id: string) => boolean = () => true,
): string[] {
  const seen = new Set<string>();
  for (const start of starts) {
    const stack = [start];
    for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
      if (seen.has(id) || !graph.has(id) || !descend(id)) continue;
      seen.add(id);
      for (const source of graph.sources(id)) stack.push(source);
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
export function findCycles(graph: LinkGraph, starts: readonly string[]): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const positionOnPath = new Map<string, number>();
  const cycles: string[][] = [];
  let listed = 0;
  walkDepthFirst(
    starts,
    (id) => {
      if (!graph.has(id)) return undefined;
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
      return graph.sources(id);
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

/** Plans a run of a validated prompt's outputs: only what they need, ancestors first; a cached node's ancestors are not needed. */
export function planExecution(prompt: ValidatedPrompt, isCached: (id: string) => boolean): ExecutionPlan {
  const toRun: string[] = [];
  const cached: string[] = [];
  const visited = new Set<string>();
  walkDepthFirst(
    prompt.outputs,
    (id) => {
      const node = prompt.nodes.get(id);
      if (visited.has(id) || !node) return undefined;
      visited.add(id);
      if (isCached(id)) {
        cached.push(id);
        return undefined;
      }
      return linkSources(node);
    },
    (id) => toRun.push(id),
  );
  return { toRun, cached };
}
