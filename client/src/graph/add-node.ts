import type { NodeInfo, ObjectInfo } from '../../../shared/node-spec.js';
import { inputAccepting, outputFeeding } from './accepts.js';
import { inputType, outputType } from './connection-rules.js';
import { createNode, defaultTitle, nextNodeId } from './node-factory.js';
import { sizedForModel } from './model-size.js';
import type { Locale } from '../i18n/messages.js';
import type { ModelSize } from '../../../shared/model-sizes.js';
import { outputHandle, type EditorEdge, type EditorGraph, type EditorNode } from './types.js';
import { connect } from './wiring.js';

/** The loose end of a wire the user dragged out: which node and handle it starts from, and on which side. */
export interface LooseWire {
  readonly nodeId: string;
  readonly handleId: string | null;
  /** Dragged from an output (the new node's input takes it) rather than from an input. */
  readonly fromSource: boolean;
}

/** The type a loose wire carries: its output's type, or the type its input accepts; undefined when unknown. */
export function looseWireType(
  wire: LooseWire,
  nodes: ReadonlyMap<string, EditorNode>,
  edges: readonly EditorEdge[],
  objectInfo: ObjectInfo,
): string | undefined {
  return wire.fromSource
    ? outputType(wire.nodeId, wire.handleId, nodes, edges, objectInfo)
    : inputType(wire.nodeId, wire.handleId, nodes, objectInfo);
}

/**
 * Adds a node as the only selected one; with a loose wire, connects it to the new node's first input (or output)
 * that fits. Pure.
 */
export function addNode(
  graph: EditorGraph,
  info: NodeInfo,
  position: { x: number; y: number },
  objectInfo: ObjectInfo,
  wire?: LooseWire,
  /** The graph's model's training size: a new Empty Latent Image starts there. */
  modelSize?: ModelSize,
  /** The UI's language, for a node's language widget. */
  locale?: Locale,
): EditorGraph {
  const id = nextNodeId(graph);
  const node = sizedForModel(
    createNode(info, id, position, locale ? defaultTitle(info, locale) : info.display_name, locale),
    modelSize,
  );
  const next: EditorGraph = {
    ...graph,
    nodes: [...graph.nodes.map((n) => ({ ...n, selected: false })), { ...node, selected: true }],
  };
  if (!wire) return next;
  const type = looseWireType(wire, new Map(next.nodes.map((n) => [n.id, n])), next.edges, objectInfo) ?? '*';
  if (wire.fromSource) {
    const target = inputAccepting(info, type);
    return target
      ? connect(next, { source: wire.nodeId, sourceHandle: wire.handleId, target: id, targetHandle: target.name })
      : next;
  }
  const index = outputFeeding(info, type);
  return index >= 0
    ? connect(next, { source: id, sourceHandle: outputHandle(index), target: wire.nodeId, targetHandle: wire.handleId })
    : next;
}
