import type { EditorGraph } from './types.js';

/** Only this node selected, as "show node" leaves the graph so the node it brought into view is the one marked. Pure. */
export function selectOnly(graph: EditorGraph, id: string): EditorGraph {
  return { ...graph, nodes: graph.nodes.map((node) => ({ ...node, selected: node.id === id })) };
}
