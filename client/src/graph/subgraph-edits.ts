import type { ObjectInfo } from '../../../shared/node-spec.js';
import { convertToSubgraph, unpackSubgraph } from '../../../shared/subgraph.js';
import type { WorkflowEnvelope } from '../../../shared/workflow.js';
import { nextNodeId } from './node-factory.js';
import type { EditorEdge, EditorGraph, EditorNode } from './types.js';
import { graphToWorkflow, workflowToGraph } from './workflow-graph.js';

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
  const before = graphToWorkflow(previous).prompt;
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
  const inks = graph.nodes.filter((node) => node.type === 'ink' && targets.has(node.id)).map((node) => node.id);
  const instanceId = nextNodeId(graph);
  const converted = convertToSubgraph(graphToWorkflow(graph), inks, {
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
  const unpacked = unpackSubgraph(graphToWorkflow(graph), nodeId);
  return unpacked ? rebuilt(graph, unpacked.envelope, objectInfo, new Set(unpacked.nodeIds)) : undefined;
}

/** Whether a node is an instance of one of the document's subgraphs. */
export function isSubgraphNode(graph: EditorGraph, node: EditorNode | undefined): boolean {
  return (
    node?.type === 'ink' &&
    (graph.definitions?.subgraphs.some((definition) => definition.id === node.data.classType) ?? false)
  );
}
