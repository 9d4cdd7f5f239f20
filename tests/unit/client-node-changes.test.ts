import type { NodeChange } from '@xyflow/react';
import { describe, expect, it } from 'vitest';
import { changeRecording } from '../../client/src/graph/node-changes.js';
import { groupKeys } from '../../client/src/graph/history.js';
import type { InkNode } from '../../client/src/graph/types.js';
import { graphToWorkflow, workflowToGraph } from '../../client/src/graph/workflow-graph.js';

describe('which node changes are undo steps', () => {
  it('a resize corner’s changes are one step per resized node; measured sizes and selection are none', () => {
    const resizing: NodeChange = {
      id: '5',
      type: 'dimensions',
      resizing: true,
      setAttributes: true,
      dimensions: { width: 400, height: 300 },
    };
    const ended: NodeChange = { id: '5', type: 'dimensions', resizing: false, dimensions: { width: 400, height: 300 } };
    expect(changeRecording([resizing])).toEqual({ record: true, group: groupKeys.resize(['5']) });
    expect(changeRecording([ended])).toEqual({ record: true, group: groupKeys.resize(['5']) });
    expect(changeRecording([{ id: '5', type: 'dimensions', dimensions: { width: 300, height: 180 } }])).toEqual({
      record: false,
    });
    expect(changeRecording([{ id: '5', type: 'select', selected: true }])).toEqual({ record: false });
  });

  it('a drag is one step per dragged set; adding or removing is a step of its own', () => {
    const move = (id: string): NodeChange => ({ id, type: 'position', position: { x: 1, y: 2 }, dragging: true });
    expect(changeRecording([move('3'), move('4')])).toEqual({ record: true, group: groupKeys.drag(['4', '3']) });
    expect(changeRecording([move('3'), { id: '4', type: 'remove' }])).toEqual({ record: true });
  });
});

describe('a resized node keeps its size in the workflow', () => {
  const node = (extra: Partial<InkNode>): InkNode => ({
    id: '5',
    type: 'ink',
    position: { x: 0, y: 0 },
    data: { classType: 'EmptyLatentImage', title: 'Empty', widgets: {}, mode: 0, collapsed: false, controls: {} },
    ...extra,
  });

  it('saves _meta.size with resized, and loads both width and height back', () => {
    const envelope = graphToWorkflow({ nodes: [node({ width: 420, height: 310 })], edges: [] });
    expect(envelope.prompt['5']!._meta).toMatchObject({ size: [420, 310], resized: true });
    const back = workflowToGraph(envelope, {}).graph.nodes[0]!;
    expect(back).toMatchObject({ width: 420, height: 310 });
  });

  it('a node never resized keeps its measured size, and loads with its width only (its content sets the height)', () => {
    const envelope = graphToWorkflow({
      nodes: [node({ width: 300, measured: { width: 300, height: 140 } })],
      edges: [],
    });
    expect(envelope.prompt['5']!._meta).toMatchObject({ size: [300, 140] });
    expect(envelope.prompt['5']!._meta).not.toHaveProperty('resized');
    const back = workflowToGraph(envelope, {}).graph.nodes[0]!;
    expect(back.width).toBe(300);
    expect(back.height).toBeUndefined();
  });
});
