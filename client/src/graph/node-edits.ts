import type { NodeColour } from './node-colours.js';
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

// ---- the node menu --------------------------------------------------------------------------------------------

/**
 * The nodes a node-menu action applies to: the whole selection when the right-clicked node is part of it, else
 * that node alone (as ComfyUI's menu does).
 */
export function menuTargets(graph: EditorGraph, nodeId: string): Set<string> {
  const node = graph.nodes.find((candidate) => candidate.id === nodeId);
  if (!node?.selected) return new Set([nodeId]);
  return new Set(graph.nodes.filter((candidate) => candidate.selected && candidate.type === 'ink').map((n) => n.id));
}

/** Bypass (4) or mute (2) the nodes; when the clicked node is already in that mode, all go back to normal (0). */
export function toggleModeOf(
  graph: EditorGraph,
  ids: ReadonlySet<string>,
  nodeId: string,
  mode: Exclude<NodeMode, 0>,
): EditorGraph {
  const clicked = graph.nodes.find((node) => node.id === nodeId);
  const next: NodeMode = clicked?.type === 'ink' && clicked.data.mode === mode ? 0 : mode;
  return mapInk(
    graph,
    (node) => ids.has(node.id),
    (data) => ({ ...data, mode: next }),
  );
}

export function toggleCollapsedOf(graph: EditorGraph, ids: ReadonlySet<string>, nodeId: string): EditorGraph {
  const clicked = graph.nodes.find((node) => node.id === nodeId);
  const collapsed = !(clicked?.type === 'ink' && clicked.data.collapsed);
  return mapInk(
    graph,
    (node) => ids.has(node.id),
    (data) => ({ ...data, collapsed }),
  );
}

/** Colours the nodes; undefined takes their colour off. */
export function setColourOf(graph: EditorGraph, ids: ReadonlySet<string>, colour: NodeColour | undefined): EditorGraph {
  return mapInk(
    graph,
    (node) => ids.has(node.id),
    ({ color: _color, bgcolor: _bgcolor, ...data }) => (colour ? { ...data, ...colour } : data),
  );
}

/** Pins or unpins the nodes (following the clicked one): a pinned node is not draggable. */
export function togglePinnedOf(graph: EditorGraph, ids: ReadonlySet<string>, nodeId: string): EditorGraph {
  const clicked = graph.nodes.find((node) => node.id === nodeId);
  const pinned = !(clicked?.type === 'ink' && clicked.data.pinned === true);
  return {
    ...graph,
    nodes: graph.nodes.map((node) => {
      if (node.type !== 'ink' || !ids.has(node.id)) return node;
      const { pinned: _pinned, ...data } = node.data;
      return pinned
        ? { ...node, draggable: false, data: { ...data, pinned: true } }
        : { ...withoutDraggable(node), data };
    }),
  };
}

function withoutDraggable(node: InkNode): InkNode {
  const { draggable: _draggable, ...rest } = node;
  return rest;
}

/** A new title for one node; blank or unchanged leaves the graph as it is (no undo step). */
export function renameNode(graph: EditorGraph, nodeId: string, title: string): EditorGraph {
  const trimmed = title.trim();
  const node = graph.nodes.find((candidate) => candidate.id === nodeId);
  if (trimmed === '' || node?.type !== 'ink' || node.data.title === trimmed) return graph;
  return mapInk(
    graph,
    (candidate) => candidate.id === nodeId,
    (data) => ({ ...data, title: trimmed }),
  );
}
