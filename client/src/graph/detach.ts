import type { ObjectInfo } from '../../../shared/node-spec.js';
import type { LooseWire } from './add-node.js';
import { outputType, typesConnect, validateConnection, type ConnectionProblem } from './connection-rules.js';
import { nodeInputs } from './node-factory.js';
import { isInkNode, type EditorEdge, type EditorGraph } from './types.js';
import { connect } from './wiring.js';

/**
 * Detach-by-drag, as ComfyUI's LinkConnector moves an input link: dragging from a connected input picks its wire up
 * (still plugged into its output); where it is dropped decides what becomes of it. Pure.
 */

/** How far (screen px) from its input a picked-up wire may be dropped and simply come off (ComfyUI's 35 px). */
export const DETACH_RADIUS = 35;

export type DetachedDrop =
  /** On an input handle (maybe the one it came from). */
  | { readonly on: 'input'; readonly nodeId: string; readonly handleId: string }
  /** On a node's body or title: its first input that takes the wire, a free one first (ComfyUI's connectToNode). */
  | { readonly on: 'node'; readonly nodeId: string }
  /** On empty canvas; `near`: within DETACH_RADIUS of the input it came from. */
  | { readonly on: 'canvas'; readonly near: boolean }
  /** On an output, a panel, a node with no input for it: nothing changes. */
  | { readonly on: 'elsewhere' };

export type DetachedOutcome =
  /** The wire now feeds another input (one edit: off the old input, onto the new). */
  | { readonly kind: 'moved'; readonly graph: EditorGraph }
  /** The wire is gone; `search`: offer the nodes that take its output (a loose wire, as a drop from an output). */
  | { readonly kind: 'removed'; readonly graph: EditorGraph; readonly search?: LooseWire }
  | { readonly kind: 'refused'; readonly problem: ConnectionProblem }
  | { readonly kind: 'kept' };

export function dropDetachedWire(
  graph: EditorGraph,
  wire: EditorEdge,
  drop: DetachedDrop,
  objectInfo: ObjectInfo,
): DetachedOutcome {
  const without: EditorGraph = { ...graph, edges: graph.edges.filter((edge) => edge.id !== wire.id) };
  switch (drop.on) {
    case 'elsewhere':
      return { kind: 'kept' };
    case 'canvas':
      return drop.near
        ? { kind: 'removed', graph: without }
        : {
            kind: 'removed',
            graph: without,
            search: { nodeId: wire.source, handleId: wire.sourceHandle ?? null, fromSource: true },
          };
    case 'node': {
      const handleId = inputFor(graph, wire, drop.nodeId, objectInfo);
      if (handleId === undefined || (drop.nodeId === wire.target && handleId === wire.targetHandle))
        return { kind: 'kept' };
      return dropDetachedWire(graph, wire, { on: 'input', nodeId: drop.nodeId, handleId }, objectInfo);
    }
    case 'input': {
      // Put back where it came from: ComfyUI takes that as "let go of it".
      if (drop.nodeId === wire.target && drop.handleId === wire.targetHandle)
        return { kind: 'removed', graph: without };
      const attempt = {
        source: wire.source,
        sourceHandle: wire.sourceHandle ?? null,
        target: drop.nodeId,
        targetHandle: drop.handleId,
      };
      const nodes = new Map(graph.nodes.map((node) => [node.id, node]));
      const verdict = validateConnection(attempt, nodes, without.edges, objectInfo);
      if (!verdict.ok) return { kind: 'refused', problem: verdict.reason };
      return { kind: 'moved', graph: connect(without, attempt) };
    }
  }
}

/** The input of a node a wire dropped on it goes to: the first that takes its type, one with no wire first. */
function inputFor(graph: EditorGraph, wire: EditorEdge, nodeId: string, objectInfo: ObjectInfo): string | undefined {
  const node = graph.nodes.find((candidate) => candidate.id === nodeId);
  const info = isInkNode(node) ? objectInfo[node.data.classType] : undefined;
  const nodes = new Map(graph.nodes.map((candidate) => [candidate.id, candidate]));
  const type = outputType(wire.source, wire.sourceHandle, nodes, graph.edges, objectInfo);
  if (!info || type === undefined) return undefined;
  const { sockets, widgets } = nodeInputs(info);
  const fitting = [...sockets, ...widgets].filter((field) => typesConnect(type, field.type));
  const fed = new Set(graph.edges.filter((edge) => edge.target === nodeId).map((edge) => edge.targetHandle));
  return (fitting.find((field) => !fed.has(field.name)) ?? fitting[0])?.name;
}
