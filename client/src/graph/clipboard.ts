import type { ObjectInfo } from '../../../shared/node-spec.js';
import { err, ok, type Result } from '../../../shared/result.js';
import { parseWorkflowDocument } from '../../../shared/workflow.js';
import { nextNodeId } from './node-factory.js';
import type { EditorGraph, EditorNode } from './types.js';
import { graphToWorkflow, workflowToGraph } from './workflow-graph.js';

/** Copy and paste through the system clipboard as workflow JSON, so it works between tabs. Pure. */

export function copySelection(graph: EditorGraph, selected: ReadonlySet<string>): string {
  const nodes = graph.nodes.filter((node) => selected.has(node.id));
  const edges = graph.edges.filter((edge) => selected.has(edge.source) && selected.has(edge.target));
  return JSON.stringify(graphToWorkflow({ nodes, edges }));
}

/** How far a second paste at the same place moves on, so copies fan out instead of hiding each other. */
export const PASTE_NUDGE = 20;

/**
 * The offset for pasted nodes: `wanted`, moved on by `PASTE_NUDGE` down and right while some pasted node would land
 * exactly where a node already is. Pure.
 */
export function unstackedOffset(
  existing: readonly { x: number; y: number }[],
  incoming: readonly { x: number; y: number }[],
  wanted: { dx: number; dy: number },
): { dx: number; dy: number } {
  const taken = new Set(existing.map((point) => `${point.x},${point.y}`));
  let { dx, dy } = wanted;
  // Bounded: each step has to clear a node, and there are only so many.
  for (let step = 0; step <= existing.length; step++) {
    if (!incoming.some((point) => taken.has(`${point.x + dx},${point.y + dy}`))) break;
    dx += PASTE_NUDGE;
    dy += PASTE_NUDGE;
  }
  return { dx, dy };
}

/**
 * Pasted nodes get fresh ids, with their top-left at `at` (the mouse, as ComfyUI pastes) or else offset by 40 px;
 * links among them are kept. Returns the ids pasted.
 */
export function pasteWorkflowText(
  graph: EditorGraph,
  text: string,
  objectInfo: ObjectInfo,
  at?: { x: number; y: number },
): Result<{ graph: EditorGraph; pasted: string[] }> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err('the clipboard does not hold workflow JSON');
  }
  const document = parseWorkflowDocument(json);
  if (!document.ok) return err(document.reason);
  const incoming = workflowToGraph(document.value.envelope, objectInfo).graph;
  const ids = new Map<string, string>();
  let next = Number(nextNodeId(graph));
  for (const node of incoming.nodes)
    ids.set(node.id, node.type === 'ink' ? String(next++) : `${node.type}-${Date.now().toString(36)}-${ids.size}`);
  const xs = incoming.nodes.map((node) => node.position.x);
  const ys = incoming.nodes.map((node) => node.position.y);
  const { dx, dy } = unstackedOffset(
    graph.nodes.map((node) => node.position),
    incoming.nodes.map((node) => node.position),
    at ? { dx: at.x - Math.min(...xs), dy: at.y - Math.min(...ys) } : { dx: 40, dy: 40 },
  );
  const nodes: EditorNode[] = incoming.nodes.map((node) => ({
    ...node,
    id: ids.get(node.id)!,
    position: { x: node.position.x + dx, y: node.position.y + dy },
    selected: true,
  }));
  const edges = incoming.edges
    .filter((edge) => ids.has(edge.source) && ids.has(edge.target))
    .map((edge) => ({
      ...edge,
      id: `${ids.get(edge.source)}:${edge.sourceHandle}->${ids.get(edge.target)}:${edge.targetHandle}`,
      source: ids.get(edge.source)!,
      target: ids.get(edge.target)!,
    }));
  return ok({
    graph: {
      ...graph,
      nodes: [...graph.nodes.map((node) => ({ ...node, selected: false })), ...nodes],
      edges: [...graph.edges, ...edges],
    },
    pasted: nodes.map((node) => node.id),
  });
}
