import type { ObjectInfo } from '../../../shared/node-spec.js';
import { ownValue } from '../../../shared/own-property.js';
import { definitionsOf, flattenSubgraphs } from '../../../shared/subgraph.js';
import type { WorkflowEnvelope } from '../../../shared/workflow.js';

/** A node the server cannot run because it lacks the node's type. */
export interface MissingNode {
  readonly id: string;
  readonly title: string;
  readonly type: string;
}

/**
 * The nodes that keep a workflow from being queued: those whose type the server lacks, unless muted (a muted node is
 * left out of the prompt). ComfyUI's frontend likewise refuses to queue a graph holding missing nodes. Pure.
 */
export function missingNodes(envelope: WorkflowEnvelope, objectInfo: ObjectInfo): MissingNode[] {
  // Inside subgraphs too, as they are queued (`instance:inner` ids); an instance itself is no node type.
  return Object.entries(flattenSubgraphs(envelope.prompt, definitionsOf(envelope)))
    .filter(([, node]) => !ownValue(objectInfo, node.class_type) && node._meta?.mode !== 2)
    .map(([id, node]) => ({ id, title: node._meta?.title ?? node.class_type, type: node.class_type }));
}

/** `#12 My node (SomeType), #13 …` for a message naming each node and its type. */
export function describeMissingNodes(nodes: readonly MissingNode[]): string {
  return nodes
    .map((node) => (node.title === node.type ? `#${node.id} ${node.type}` : `#${node.id} ${node.title} (${node.type})`))
    .join(', ');
}
