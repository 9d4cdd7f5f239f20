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

/** Pasted nodes get fresh ids and are offset; links among them are kept. Returns the ids pasted. */
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
  const dx = at ? at.x - Math.min(...xs) : 40;
  const dy = at ? at.y - Math.min(...ys) : 40;
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
