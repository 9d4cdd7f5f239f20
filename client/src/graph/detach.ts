import type { ObjectInfo } from '../../../shared/node-spec.js';
import type { LooseWire } from './add-node.js';
import { validateConnection, type ConnectionProblem } from './connection-rules.js';
import type { EditorEdge, EditorGraph } from './types.js';
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
  /** On empty canvas; `near`: within DETACH_RADIUS of the input it came from. */
  | { readonly on: 'canvas'; readonly near: boolean }
  /** On a node's body, an output, a panel: nothing changes. */
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
