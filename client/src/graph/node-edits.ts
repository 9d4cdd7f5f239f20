import type { EditorGraph, EditorNode, InkNode, InkNodeData, NodeMode, SeedControl } from './types.js';

/** Edits of nodes in place: selection, mode, collapse, widget values, group frames. Pure. */

/** A node's size as drawn, or a typical size before React Flow has measured it. */
export function nodeSize(node: EditorNode | undefined): { width: number; height: number } {
  return { width: node?.measured?.width ?? 300, height: node?.measured?.height ?? 200 };
}

export function selectedIds(graph: EditorGraph): Set<string> {
  return new Set(graph.nodes.filter((node) => node.selected).map((node) => node.id));
}

export function selectAll(graph: EditorGraph): EditorGraph {
  return { ...graph, nodes: graph.nodes.map((node) => ({ ...node, selected: true })) };
}

/** The selected workflow node, when exactly one is selected (reroutes and groups aside). */
export function soleSelectedInk(graph: EditorGraph): InkNode | undefined {
  const selected = graph.nodes.filter((node): node is InkNode => node.selected === true && node.type === 'ink');
  return selected.length === 1 ? selected[0] : undefined;
}

function mapInk(
  graph: EditorGraph,
  pick: (node: InkNode) => boolean,
  change: (data: InkNodeData) => InkNodeData,
): EditorGraph {
  return {
    ...graph,
    nodes: graph.nodes.map((node) => (node.type === 'ink' && pick(node) ? { ...node, data: change(node.data) } : node)),
  };
}

const isSelected = (node: EditorNode): boolean => node.selected === true;

/** Bypass (4) or mute (2) the selected nodes; those already in that mode go back to normal (0). */
export function toggleModeOfSelected(graph: EditorGraph, mode: Exclude<NodeMode, 0>): EditorGraph {
  return mapInk(graph, isSelected, (data) => ({ ...data, mode: data.mode === mode ? 0 : mode }));
}

export function toggleCollapsedOfSelected(graph: EditorGraph): EditorGraph {
  return mapInk(graph, isSelected, (data) => ({ ...data, collapsed: !data.collapsed }));
}

export function setWidgetValue(graph: EditorGraph, nodeId: string, name: string, value: unknown): EditorGraph {
  return mapInk(
    graph,
    (node) => node.id === nodeId,
    (data) => ({ ...data, widgets: { ...data.widgets, [name]: value } }),
  );
}

export function setSeedControl(graph: EditorGraph, nodeId: string, name: string, control: SeedControl): EditorGraph {
  return mapInk(
    graph,
    (node) => node.id === nodeId,
    (data) => ({ ...data, controls: { ...data.controls, [name]: control } }),
  );
}

export function setGroupTitle(graph: EditorGraph, groupId: string, title: string): EditorGraph {
  return {
    ...graph,
    nodes: graph.nodes.map((node) =>
      node.id === groupId && node.type === 'group' ? { ...node, data: { ...node.data, title } } : node,
    ),
  };
}

/** A group frame around the selected nodes, behind them; undefined when nothing is selected. */
export function groupSelection(graph: EditorGraph, id: string, title: string): EditorGraph | undefined {
  const nodes = graph.nodes.filter(isSelected);
  if (nodes.length === 0) return undefined;
  const x = Math.min(...nodes.map((node) => node.position.x)) - 30;
  const y = Math.min(...nodes.map((node) => node.position.y)) - 50;
  const width = Math.max(...nodes.map((node) => node.position.x + nodeSize(node).width)) - x + 30;
  const height = Math.max(...nodes.map((node) => node.position.y + nodeSize(node).height)) - y + 30;
  const group: EditorNode = {
    id,
    type: 'group',
    position: { x, y },
    width,
    height,
    style: { width, height },
    zIndex: -1,
    data: { title },
  };
  return { ...graph, nodes: [group, ...graph.nodes] };
}

/**
 * The graph without the given nodes and edges, nor the edges of those nodes: a whole deletion as one change, so one
 * undo brings a node back with its wires.
 */
export function removeElements(
  graph: EditorGraph,
  nodeIds: ReadonlySet<string>,
  edgeIds: ReadonlySet<string>,
): EditorGraph {
  if (nodeIds.size === 0 && edgeIds.size === 0) return graph;
  return {
    ...graph,
    nodes: graph.nodes.filter((node) => !nodeIds.has(node.id)),
    edges: graph.edges.filter(
      (edge) => !edgeIds.has(edge.id) && !nodeIds.has(edge.source) && !nodeIds.has(edge.target),
    ),
  };
}
