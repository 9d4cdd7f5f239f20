import type { EditorEdge, EditorGraph, EditorNode } from './types.js';

/** Wires: adding one in place of what fed that input, splitting one with a reroute, dropping those of removed nodes. Pure. */

export interface Wire {
  readonly source: string;
  readonly sourceHandle: string | null;
  readonly target: string;
  readonly targetHandle: string | null;
}

export function edgeFor(wire: Wire): EditorEdge {
  return { id: `${wire.source}:${wire.sourceHandle}->${wire.target}:${wire.targetHandle}`, ...wire };
}

/** Adds an edge, replacing whatever fed that input before. */
export function connect(graph: EditorGraph, wire: Wire): EditorGraph {
  const edges = graph.edges.filter((edge) => !(edge.target === wire.target && edge.targetHandle === wire.targetHandle));
  return { ...graph, edges: [...edges, edgeFor(wire)] };
}

/** Splits a wire with a reroute point centred on `position`: source → reroute → target. */
export function insertReroute(
  graph: EditorGraph,
  edge: EditorEdge,
  position: { x: number; y: number },
  id: string,
): EditorGraph {
  const reroute: EditorNode = { id, type: 'reroute', position: { x: position.x - 7, y: position.y - 7 }, data: {} };
  const edges = graph.edges.filter((candidate) => candidate.id !== edge.id);
  return {
    ...graph,
    nodes: [...graph.nodes, reroute],
    edges: [
      ...edges,
      edgeFor({ source: edge.source, sourceHandle: edge.sourceHandle ?? null, target: id, targetHandle: 'in' }),
      edgeFor({ source: id, sourceHandle: 'out', target: edge.target, targetHandle: edge.targetHandle ?? null }),
    ],
  };
}

/** The edges left when the given nodes are removed. */
export function edgesWithout(edges: readonly EditorEdge[], removed: ReadonlySet<string>): readonly EditorEdge[] {
  return removed.size === 0 ? edges : edges.filter((edge) => !removed.has(edge.source) && !removed.has(edge.target));
}
