import { inputAcceptsLink, inputSpecOf, inputSpecType, type ObjectInfo } from '../../../shared/node-spec.js';
import { err, ok, type Result } from '../../../shared/result.js';
import { isInkNode, outputIndex, type EditorEdge, type EditorNode } from './types.js';

/**
 * Whether a wire may be dropped, and why not: one pure function for React Flow's isValidConnection, the reason
 * shown when a drop is refused, and the filtered node picker. Reasons are i18n keys with parameters.
 */

/** Why a wire is refused: the i18n key (under `connection.`) and its parameters. */
export interface ConnectionProblem {
  readonly refusal: ConnectionRefusal;
  readonly params?: Record<string, string>;
}

/** The type the wire would carry, or why it may not be dropped. */
export type ConnectionVerdict = Result<string, ConnectionProblem>;
export type ConnectionRefusal = 'sameNode' | 'unknownNode' | 'noSuchOutput' | 'noSuchInput' | 'typeMismatch' | 'cycle';

export interface ConnectionAttempt {
  readonly source: string;
  readonly sourceHandle: string | null | undefined;
  readonly target: string;
  readonly targetHandle: string | null | undefined;
}

/** One end of a wire being dragged: the node and handle it starts from or is dropped on. */
export interface WireEnd {
  readonly nodeId: string;
  readonly handleId: string | null | undefined;
}

/** The connection a drop asks for; a wire dragged from an input runs backwards, so its ends swap. */
export function droppedAttempt(from: WireEnd & { readonly fromSource: boolean }, to: WireEnd): ConnectionAttempt {
  const [source, target] = from.fromSource ? [from, to] : [to, from];
  return { source: source.nodeId, sourceHandle: source.handleId, target: target.nodeId, targetHandle: target.handleId };
}

/** The type a node's output carries; through reroutes, the type of what feeds them ('*' when nothing does). */
export function outputType(
  nodeId: string,
  handle: string | null | undefined,
  nodes: ReadonlyMap<string, EditorNode>,
  edges: readonly EditorEdge[],
  objectInfo: ObjectInfo,
  seen = new Set<string>(),
): string | undefined {
  const node = nodes.get(nodeId);
  if (!node) return undefined;
  if (node.type === 'reroute') {
    if (seen.has(nodeId)) return '*';
    seen.add(nodeId);
    const feed = edges.find((edge) => edge.target === nodeId);
    return feed ? outputType(feed.source, feed.sourceHandle, nodes, edges, objectInfo, seen) : '*';
  }
  if (!isInkNode(node)) return undefined;
  const index = outputIndex(handle);
  return index === undefined ? undefined : objectInfo[node.data.classType]?.output[index];
}

/** The type an input accepts ('COMBO' for combos), or '*' for a reroute. */
export function inputType(
  nodeId: string,
  handle: string | null | undefined,
  nodes: ReadonlyMap<string, EditorNode>,
  objectInfo: ObjectInfo,
): string | undefined {
  const node = nodes.get(nodeId);
  if (node?.type === 'reroute') return '*';
  if (!isInkNode(node) || !handle) return undefined;
  const info = objectInfo[node.data.classType];
  const spec = info ? inputSpecOf(info, handle) : undefined;
  return spec ? inputSpecType(spec) : undefined;
}

/** Can a value of `from` go into an input of type `to`? (The shared link rule.) */
export function typesConnect(from: string, to: string): boolean {
  return inputAcceptsLink(from, to);
}

function reaches(from: string, to: string, edges: readonly EditorEdge[], ignore?: EditorEdge): boolean {
  const stack = [from];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const edge of edges) if (edge !== ignore && edge.source === id) stack.push(edge.target);
  }
  return false;
}

export function validateConnection(
  attempt: ConnectionAttempt,
  nodes: ReadonlyMap<string, EditorNode>,
  edges: readonly EditorEdge[],
  objectInfo: ObjectInfo,
): ConnectionVerdict {
  if (attempt.source === attempt.target) return err({ refusal: 'sameNode' });
  if (!nodes.has(attempt.source) || !nodes.has(attempt.target)) return err({ refusal: 'unknownNode' });
  const from = outputType(attempt.source, attempt.sourceHandle, nodes, edges, objectInfo);
  if (from === undefined) return err({ refusal: 'noSuchOutput' });
  const to = inputType(attempt.target, attempt.targetHandle, nodes, objectInfo);
  if (to === undefined) return err({ refusal: 'noSuchInput', params: { input: attempt.targetHandle ?? '' } });
  if (!typesConnect(from, to)) return err({ refusal: 'typeMismatch', params: { from, to } });
  // The new wire replaces whatever feeds that input now, so that edge does not count for cycles.
  const replaced = edges.find((edge) => edge.target === attempt.target && edge.targetHandle === attempt.targetHandle);
  if (reaches(attempt.target, attempt.source, edges, replaced)) return err({ refusal: 'cycle' });
  return ok(from);
}
