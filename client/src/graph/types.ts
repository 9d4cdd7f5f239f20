import type { Edge, Node } from '@xyflow/react';
import type { MissingNodeRecord } from '../../../shared/litegraph-import.js';
import type { Definitions, Viewport } from '../../../shared/workflow.js';

/** The editor's document: React Flow nodes and edges whose data is exactly what the workflow file stores. */

export type NodeMode = 0 | 2 | 4;
export type SeedControl = 'fixed' | 'increment' | 'decrement' | 'randomize';

export interface InkNodeData extends Record<string, unknown> {
  readonly classType: string;
  readonly title: string;
  /** Constant input values (widgets), by input name. */
  readonly widgets: Readonly<Record<string, unknown>>;
  readonly mode: NodeMode;
  readonly collapsed: boolean;
  /** control_after_generate per seed-like input. */
  readonly controls: Readonly<Record<string, SeedControl>>;
  /** Title-bar and body colours (ComfyUI's `color`/`bgcolor`), set from the node menu. */
  readonly color?: string;
  readonly bgcolor?: string;
  /** A pinned node cannot be dragged (ComfyUI's `flags.pinned`). */
  readonly pinned?: boolean;
  /** Set for a node whose type the server lacks: what the imported file said of it, saved back unchanged. */
  readonly missing?: MissingNodeRecord;
}

export type InkNode = Node<InkNodeData, 'ink'>;
export type RerouteNode = Node<Record<string, never>, 'reroute'>;
export interface GroupData extends Record<string, unknown> {
  readonly title: string;
}
export type GroupNode = Node<GroupData, 'group'>;
export type EditorNode = InkNode | RerouteNode | GroupNode;
export type EditorEdge = Edge;

export interface EditorGraph {
  readonly nodes: readonly EditorNode[];
  readonly edges: readonly EditorEdge[];
  readonly viewport?: Viewport;
  /** The document's subgraphs (instances are nodes whose classType is a subgraph's id). */
  readonly definitions?: Definitions;
  /** Set while a subgraph is open: this graph is its inside, `parent` the graph it was opened from. */
  readonly scope?: SubgraphScope;
}

export interface SubgraphScope {
  readonly parent: EditorGraph;
  readonly definitionId: string;
  /** The instance it was opened through, in the parent graph. */
  readonly instanceId: string;
}

/** The boundary nodes inside an open subgraph: its inputs (node -10) and outputs (node -20), as node types. */
export const SUBGRAPH_INPUT_TYPE = 'inkgraph/subgraph-inputs';
export const SUBGRAPH_OUTPUT_TYPE = 'inkgraph/subgraph-outputs';

/** Output handles are `out-<index>`; input handles are the input's name; reroutes have `in` and `out`. */
export function outputHandle(index: number): string {
  return `out-${index}`;
}

export function outputIndex(handle: string | null | undefined): number | undefined {
  const match = /^out-(\d+)$/.exec(handle ?? '');
  return match ? Number(match[1]) : undefined;
}

export function isInkNode(node: EditorNode | undefined): node is InkNode {
  return node?.type === 'ink';
}
