import { describe, expect, it } from 'vitest';
import { NODE_COLOURS } from '../../client/src/graph/node-colours.js';
import {
  menuTargets,
  renameNode,
  setColourOf,
  toggleCollapsedOf,
  toggleModeOf,
  togglePinnedOf,
} from '../../client/src/graph/node-edits.js';
import type { EditorGraph, InkNode } from '../../client/src/graph/types.js';
import { graphToWorkflow, workflowToGraph } from '../../client/src/graph/workflow-graph.js';
import type { ObjectInfo } from '../../shared/node-spec.js';

function ink(id: string, extra: Partial<InkNode> = {}, data: Partial<InkNode['data']> = {}): InkNode {
  return {
    id,
    type: 'ink',
    position: { x: 0, y: 0 },
    ...extra,
    data: { classType: 'Note', title: `Node ${id}`, widgets: {}, mode: 0, collapsed: false, controls: {}, ...data },
  };
}

const graph: EditorGraph = {
  nodes: [ink('1', { selected: true }), ink('2', { selected: true }), ink('3')],
  edges: [],
};
const data = (g: EditorGraph, id: string) => {
  const node = g.nodes.find((candidate) => candidate.id === id);
  if (node?.type !== 'ink') throw new Error(`no node ${id}`);
  return node.data;
};

describe('node menu edits', () => {
  it('acts on the whole selection when the clicked node is selected, else on that node alone', () => {
    expect([...menuTargets(graph, '1')].sort()).toEqual(['1', '2']);
    expect([...menuTargets(graph, '3')]).toEqual(['3']);
  });

  it('bypasses and mutes, and a second time sets the nodes back to normal', () => {
    const bypassed = toggleModeOf(graph, new Set(['1', '2']), '1', 4);
    expect([data(bypassed, '1').mode, data(bypassed, '2').mode, data(bypassed, '3').mode]).toEqual([4, 4, 0]);
    const muted = toggleModeOf(bypassed, new Set(['1']), '1', 2);
    expect(data(muted, '1').mode).toBe(2);
    expect(data(toggleModeOf(muted, new Set(['1']), '1', 2), '1').mode).toBe(0);
  });

  it('collapses and expands', () => {
    const collapsed = toggleCollapsedOf(graph, new Set(['3']), '3');
    expect(data(collapsed, '3').collapsed).toBe(true);
    expect(data(toggleCollapsedOf(collapsed, new Set(['3']), '3'), '3').collapsed).toBe(false);
  });

  it("colours with ComfyUI's colour and bgcolor, and takes the colour off", () => {
    const red = setColourOf(graph, new Set(['3']), NODE_COLOURS.red);
    expect(data(red, '3')).toMatchObject({ color: '#322', bgcolor: '#533' });
    const plain = data(setColourOf(red, new Set(['3']), undefined), '3');
    expect('color' in plain || 'bgcolor' in plain).toBe(false);
  });

  it('pins a node so it cannot be dragged, and unpins it', () => {
    const pinned = togglePinnedOf(graph, new Set(['3']), '3');
    const node = pinned.nodes.find((candidate) => candidate.id === '3')!;
    expect(node.draggable).toBe(false);
    expect(data(pinned, '3').pinned).toBe(true);
    const unpinned = togglePinnedOf(pinned, new Set(['3']), '3').nodes.find((candidate) => candidate.id === '3')!;
    expect(unpinned.draggable).toBeUndefined();
    expect(unpinned.type === 'ink' && unpinned.data.pinned).toBeFalsy();
  });

  it('renames one node; a blank or unchanged title is no change at all', () => {
    expect(data(renameNode(graph, '2', '  My prompt '), '2').title).toBe('My prompt');
    expect(renameNode(graph, '2', '   ')).toBe(graph);
    expect(renameNode(graph, '2', 'Node 2')).toBe(graph);
  });

  it("keeps colour and pin in the workflow's _meta across save and load", () => {
    const objectInfo: ObjectInfo = {};
    const edited = togglePinnedOf(setColourOf(graph, new Set(['3']), NODE_COLOURS.green), new Set(['3']), '3');
    const envelope = graphToWorkflow(edited);
    expect(envelope.prompt['3']!._meta).toMatchObject({ color: '#232', bgcolor: '#353', pinned: true });
    expect(envelope.prompt['1']!._meta).not.toHaveProperty('color');
    const back = workflowToGraph(envelope, objectInfo).graph.nodes.find((node) => node.id === '3')!;
    expect(back.draggable).toBe(false);
    expect(back.type === 'ink' && back.data).toMatchObject({ color: '#232', bgcolor: '#353', pinned: true });
  });
});
