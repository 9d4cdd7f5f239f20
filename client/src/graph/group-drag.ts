import type { NodeChange } from '@xyflow/react';
import { nodeSize } from './node-edits.js';
import type { EditorNode } from './types.js';

/**
 * Groups carry their nodes when dragged, as in ComfyUI (LGraphGroup.recomputeInsideNodes): what is inside a group
 * when the drag starts moves with it: nodes and reroutes whose centre lies in the frame, groups wholly inside. Pure.
 */

interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

function box(node: EditorNode): Box {
  // What React Flow measured, else a group's frame as saved, else a typical node's size.
  const typical = nodeSize(undefined);
  return {
    x: node.position.x,
    y: node.position.y,
    width: node.measured?.width ?? node.width ?? typical.width,
    height: node.measured?.height ?? node.height ?? typical.height,
  };
}

function containsCentre(outer: Box, inner: Box): boolean {
  const x = inner.x + inner.width / 2;
  const y = inner.y + inner.height / 2;
  return x >= outer.x && x <= outer.x + outer.width && y >= outer.y && y <= outer.y + outer.height;
}

function contains(outer: Box, inner: Box): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

/** For each of the given groups, the ids of what it carries. */
export function groupMembers(
  nodes: readonly EditorNode[],
  groupIds: readonly string[],
): Map<string, readonly string[]> {
  const members = new Map<string, readonly string[]>();
  for (const id of groupIds) {
    const group = nodes.find((node) => node.id === id && node.type === 'group');
    if (!group) continue;
    const frame = box(group);
    members.set(
      id,
      nodes
        .filter(
          (node) =>
            node.id !== id && (node.type === 'group' ? contains(frame, box(node)) : containsCentre(frame, box(node))),
        )
        .map((node) => node.id),
    );
  }
  return members;
}

/**
 * The changes plus a position change for each member of a moved group, by the group's own step. Members React Flow
 * already moves (selected with the group) and members of two moved groups move once.
 */
export function withGroupMembers(
  changes: readonly NodeChange<EditorNode>[],
  nodes: readonly EditorNode[],
  members: ReadonlyMap<string, readonly string[]>,
): NodeChange<EditorNode>[] {
  const moving = new Set(changes.flatMap((change) => (change.type === 'position' ? [change.id] : [])));
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const added: NodeChange<EditorNode>[] = [];
  for (const change of changes) {
    if (change.type !== 'position' || !change.position) continue;
    const group = byId.get(change.id);
    const ids = members.get(change.id);
    if (!group || !ids) continue;
    const dx = change.position.x - group.position.x;
    const dy = change.position.y - group.position.y;
    for (const id of ids) {
      const member = byId.get(id);
      if (!member || moving.has(id)) continue;
      moving.add(id);
      added.push({
        type: 'position',
        id,
        position: { x: member.position.x + dx, y: member.position.y + dy },
        ...(change.dragging !== undefined ? { dragging: change.dragging } : {}),
      });
    }
  }
  return [...changes, ...added];
}
