import type { ObjectInfo } from '../../../shared/node-spec.js';
import { convertToSubgraph, SUBGRAPH_INPUT_ID, SUBGRAPH_OUTPUT_ID, unpackSubgraph } from '../../../shared/subgraph.js';
import type { ApiNode, WorkflowEnvelope } from '../../../shared/workflow.js';
import { nextNodeId } from './node-factory.js';
import {
  SUBGRAPH_INPUT_TYPE,
  SUBGRAPH_OUTPUT_TYPE,
  type EditorEdge,
  type EditorGraph,
  type EditorNode,
} from './types.js';
import { closeScope, documentOf, workflowToGraph } from './workflow-graph.js';

/** Subgraph commands on the editor's graph, each one new graph (one undo step). Pure. */

/**
 * The graph rebuilt from an edited document, keeping the node and edge objects that did not change (their measured
 * sizes and identity) and selecting `select`.
 */
function rebuilt(
  previous: EditorGraph,
  envelope: WorkflowEnvelope,
  objectInfo: ObjectInfo,
  select: ReadonlySet<string>,
): EditorGraph {
  const before = documentOf(previous).prompt;
  const next = workflowToGraph(envelope, objectInfo).graph;
  const oldNodes = new Map(previous.nodes.map((node) => [node.id, node]));
  const oldEdges = new Map(previous.edges.map((edge) => [edge.id, edge]));
  const same = (id: string): boolean =>
    Object.hasOwn(before, id) &&
    Object.hasOwn(envelope.prompt, id) &&
    JSON.stringify(before[id]) === JSON.stringify(envelope.prompt[id]);
  const nodes = next.nodes.map((node): EditorNode => {
    const old = oldNodes.get(node.id);
    const kept = old && old.type === node.type && (node.type !== 'ink' || same(node.id)) ? old : node;
    const selected = select.has(node.id);
    return Boolean(kept.selected) === selected ? kept : { ...kept, selected };
  });
  const edges = next.edges.map((edge): EditorEdge => oldEdges.get(edge.id) ?? edge);
  const { definitions: _old, ...rest } = previous;
  return { ...rest, nodes, edges, ...(next.definitions ? { definitions: next.definitions } : {}) };
}

export interface ConvertIds {
  /** A new subgraph id (ComfyUI: a v4 UUID) and a stable id per new input or output. */
  readonly definitionId: string;
  readonly slotId: () => string;
}

/** The nodes `targets` made into one subgraph node, selected; undefined when none of them is a workflow node. */
export function convertNodesToSubgraph(
  graph: EditorGraph,
  targets: ReadonlySet<string>,
  objectInfo: ObjectInfo,
  ids: ConvertIds,
  name: string,
): EditorGraph | undefined {
  const inks = graph.nodes
    .filter((node) => node.type === 'ink' && targets.has(node.id) && !isBoundary(node))
    .map((node) => node.id);
  const instanceId = nextNodeId(graph);
  const converted = convertToSubgraph(documentOf(graph), inks, {
    definitionId: ids.definitionId,
    instanceId,
    name,
    objectInfo,
    slotId: ids.slotId,
  });
  return converted ? rebuilt(graph, converted.envelope, objectInfo, new Set([instanceId])) : undefined;
}

/** A subgraph node replaced by its inner nodes, which are selected; undefined when it is not a subgraph node. */
export function unpackSubgraphNode(
  graph: EditorGraph,
  nodeId: string,
  objectInfo: ObjectInfo,
): EditorGraph | undefined {
  const unpacked = unpackSubgraph(documentOf(graph), nodeId);
  return unpacked ? rebuilt(graph, unpacked.envelope, objectInfo, new Set(unpacked.nodeIds)) : undefined;
}

/** Whether a node is an instance of one of the document's subgraphs. */
export function isSubgraphNode(graph: EditorGraph, node: EditorNode | undefined): boolean {
  return (
    node?.type === 'ink' &&
    (graph.definitions?.subgraphs.some((definition) => definition.id === node.data.classType) ?? false)
  );
}

const BOUNDARY_SIZE: [number, number] = [150, 60];

/** An open subgraph's input or output node (not to be deleted or packed into another subgraph). */
export function isBoundary(node: EditorNode): boolean {
  return (
    node.type === 'ink' && (node.data.classType === SUBGRAPH_INPUT_TYPE || node.data.classType === SUBGRAPH_OUTPUT_TYPE)
  );
}

/**
 * The inside of a subgraph node, to edit: its inner nodes, and its inputs (node -10) and outputs (node -20) as
 * boundary nodes wired as the definition says. Undefined when the node is no subgraph node.
 */
export function openSubgraph(
  graph: EditorGraph,
  nodeId: string,
  objectInfo: ObjectInfo,
  titles: { readonly inputs: string; readonly outputs: string },
): EditorGraph | undefined {
  const node = graph.nodes.find((candidate) => candidate.id === nodeId);
  const definition =
    node?.type === 'ink'
      ? graph.definitions?.subgraphs.find((candidate) => candidate.id === node.data.classType)
      : undefined;
  if (!definition) return undefined;
  const positions = Object.values(definition.nodes).map((inner): [number, number] => inner._meta?.pos ?? [0, 0]);
  const left = Math.min(0, ...positions.map(([x]) => x));
  const right = Math.max(0, ...positions.map(([x]) => x));
  const top = Math.min(0, ...positions.map(([, y]) => y));
  const inputNode: ApiNode = {
    class_type: SUBGRAPH_INPUT_TYPE,
    inputs: {},
    // As narrow as litegraph's boundary nodes (120 px), which its saved positions allow for.
    _meta: { title: titles.inputs, pos: definition.inputPos ?? [left - 320, top], size: BOUNDARY_SIZE },
  };
  const outputNode: ApiNode = {
    class_type: SUBGRAPH_OUTPUT_TYPE,
    inputs: Object.fromEntries(
      definition.outputs.flatMap((output) => (output.link ? [[output.name, output.link]] : [])),
    ),
    _meta: { title: titles.outputs, pos: definition.outputPos ?? [right + 400, top], size: BOUNDARY_SIZE },
  };
  const inside = workflowToGraph(
    {
      version: 1,
      prompt: { [SUBGRAPH_INPUT_ID]: inputNode, ...definition.nodes, [SUBGRAPH_OUTPUT_ID]: outputNode },
      groups: definition.groups ?? [],
      reroutes: definition.reroutes ?? [],
      ...(graph.definitions ? { definitions: graph.definitions } : {}),
    },
    objectInfo,
  ).graph;
  return {
    ...inside,
    nodes: inside.nodes.map((inner) => (isBoundary(inner) ? { ...inner, deletable: false } : inner)),
    scope: {
      parent: { ...graph, nodes: graph.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)) },
      definitionId: definition.id,
      instanceId: nodeId,
    },
  };
}

/** Back out of `levels` open subgraphs (all of them by default), keeping what was edited inside. */
export function leaveSubgraphs(graph: EditorGraph, levels = Infinity): EditorGraph {
  let current = graph;
  for (let left = levels; left > 0 && current.scope; left--) current = closeScope(current);
  return current;
}

/**
 * The subgraphs open, outermost first, each with how many levels to leave to get back to it (0 for the one shown).
 */
export function subgraphPath(graph: EditorGraph): { readonly name: string; readonly depth: number }[] {
  const path: { name: string; depth: number }[] = [];
  let depth = 0;
  for (let current = graph; current.scope; current = current.scope.parent, depth++) {
    const id = current.scope.definitionId;
    const name = current.definitions?.subgraphs.find((candidate) => candidate.id === id)?.name ?? id;
    path.unshift({ name, depth });
  }
  return path;
}

/** The instance ids entered to reach the open subgraph, outermost first (execution ids start with them). */
export function scopePath(graph: EditorGraph): string[] {
  const path: string[] = [];
  for (let current = graph; current.scope; current = current.scope.parent) path.unshift(current.scope.instanceId);
  return path;
}

/**
 * A change to the whole document (a subgraph's inputs or outputs reordered or renamed), made from wherever the editor
 * is: open subgraphs are closed into the document, it is changed, and they are opened again.
 */
export function changeDocument(
  graph: EditorGraph,
  objectInfo: ObjectInfo,
  titles: { readonly inputs: string; readonly outputs: string },
  change: (document: WorkflowEnvelope) => WorkflowEnvelope,
): EditorGraph {
  const path = scopePath(graph);
  const root = leaveSubgraphs(graph);
  const document = documentOf(root);
  const changed = change(document);
  if (changed === document) return graph;
  let next = rebuilt(root, changed, objectInfo, new Set());
  for (const instanceId of path) next = openSubgraph(next, instanceId, objectInfo, titles) ?? next;
  return next;
}

/** The id the server knows a node of the shown graph by: inside open subgraphs, `instance:inner` (nested `a:b:c`). */
export function executionId(graph: EditorGraph, nodeId: string): string {
  return [...scopePath(graph), nodeId].join(':');
}
