import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';
import type { EditorGraph } from './types.js';

/** Left-to-right auto-arrangement with dagre; groups and their contents keep their places. */
export function autoLayout(graph: EditorGraph, sizeOf: (id: string) => { width: number; height: number }): EditorGraph {
  const layout = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>();
  layout.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 80, marginx: 40, marginy: 40 });
  layout.setDefaultEdgeLabel(() => ({}));
  const movable = graph.nodes.filter((node) => node.type !== 'group');
  for (const node of movable) layout.setNode(node.id, sizeOf(node.id));
  for (const edge of graph.edges)
    if (layout.hasNode(edge.source) && layout.hasNode(edge.target)) layout.setEdge(edge.source, edge.target);
  dagre.layout(layout);
  return {
    ...graph,
    nodes: graph.nodes.map((node) => {
      if (node.type === 'group') return node;
      const placed = layout.node(node.id);
      const size = sizeOf(node.id);
      return placed?.x !== undefined && placed.y !== undefined
        ? { ...node, position: { x: Math.round(placed.x - size.width / 2), y: Math.round(placed.y - size.height / 2) } }
        : node;
    }),
  };
}
