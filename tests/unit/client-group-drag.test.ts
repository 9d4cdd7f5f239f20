import { describe, expect, it } from 'vitest';
import { groupMembers, withGroupMembers } from '../../client/src/graph/group-drag.js';
import type { EditorNode } from '../../client/src/graph/types.js';

const group = (id: string, x: number, y: number, width: number, height: number): EditorNode => ({
  id,
  type: 'group',
  position: { x, y },
  width,
  height,
  data: { title: id },
});
const ink = (id: string, x: number, y: number): EditorNode => ({
  id,
  type: 'ink',
  position: { x, y },
  measured: { width: 100, height: 50 },
  data: { classType: 'KSampler', title: id, widgets: {}, mode: 0, collapsed: false, controls: {} },
});

describe('groups carry the nodes inside them', () => {
  // g spans x 0..400, y 0..300; nodes are 100×50.
  const nodes = [group('g', 0, 0, 400, 300), ink('in', 50, 60), ink('edge', 300, 250), ink('out', 351, 100)];

  it('carries nodes whose centre is in the frame and groups wholly in it', () => {
    // 'edge' has its centre at (350, 275), inside though it sticks out; 'out' has it at x 401, outside.
    expect(groupMembers(nodes, ['g']).get('g')).toEqual(['in', 'edge']);
    expect(groupMembers(nodes, ['in']).size).toBe(0);
    const nested = [...nodes, group('small', 10, 10, 100, 100), group('wide', 10, 10, 500, 100)];
    expect(groupMembers(nested, ['g']).get('g')).toEqual(['in', 'edge', 'small']);
  });

  it('moves the members by the group step', () => {
    const members = groupMembers(nodes, ['g']);
    const changes = withGroupMembers(
      [{ type: 'position', id: 'g', position: { x: 25, y: -10 }, dragging: true }],
      nodes,
      members,
    );
    expect(changes).toEqual([
      { type: 'position', id: 'g', position: { x: 25, y: -10 }, dragging: true },
      { type: 'position', id: 'in', position: { x: 75, y: 50 }, dragging: true },
      { type: 'position', id: 'edge', position: { x: 325, y: 240 }, dragging: true },
    ]);
  });

  it('leaves members React Flow already moves alone, and other changes as they are', () => {
    const members = groupMembers(nodes, ['g']);
    const changes = withGroupMembers(
      [
        { type: 'position', id: 'g', position: { x: 10, y: 0 } },
        { type: 'position', id: 'in', position: { x: 60, y: 60 } },
        { type: 'select', id: 'out', selected: true },
      ],
      nodes,
      members,
    );
    expect(changes).toEqual([
      { type: 'position', id: 'g', position: { x: 10, y: 0 } },
      { type: 'position', id: 'in', position: { x: 60, y: 60 } },
      { type: 'select', id: 'out', selected: true },
      { type: 'position', id: 'edge', position: { x: 310, y: 250 } },
    ]);
  });
});
