import { describe, expect, it } from 'vitest';
import { encodePng } from '../../media/png.js';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { fitsWire, inputAccepting, outputFeeding } from '../../client/src/graph/accepts.js';
import { addNode, looseWireType } from '../../client/src/graph/add-node.js';
import { duplicateSelection } from '../../client/src/graph/duplicate.js';
import { droppedAttempt } from '../../client/src/graph/connection-rules.js';
import {
  groupSelection,
  nodeSize,
  selectAll,
  selectedIds,
  setGroupTitle,
  setSeedControl,
  setWidgetValue,
  soleSelectedInk,
  toggleCollapsedOfSelected,
  toggleModeOfSelected,
} from '../../client/src/graph/node-edits.js';
import type { EditorGraph, EditorNode, InkNode } from '../../client/src/graph/types.js';
import { readWorkflowFile } from '../../client/src/graph/workflow-file.js';
import { connect, edgeFor, edgesWithout, insertReroute } from '../../client/src/graph/wiring.js';

const objectInfo = buildObjectInfo(createRegistry(), {
  inputDir: '/none',
  outputDir: '/none',
  tempDir: '/none',
  modelsDir: '/none',
});
const info = (classType: string) => objectInfo[classType]!;

function ink(id: string, classType: string, extra: Partial<InkNode> = {}): InkNode {
  return {
    id,
    type: 'ink',
    position: { x: 0, y: 0 },
    data: { classType, title: classType, widgets: {}, mode: 0, collapsed: false, controls: {} },
    ...extra,
  };
}

const reroute = (id: string): EditorNode => ({ id, type: 'reroute', position: { x: 0, y: 0 }, data: {} });

describe('inputs and outputs that accept a type', () => {
  it('finds the first input that takes a value, sockets before widgets', () => {
    expect(inputAccepting(info('CLIPTextEncode'), 'CLIP')?.name).toBe('clip');
    expect(inputAccepting(info('CLIPTextEncode'), 'STRING')?.name).toBe('text');
    expect(inputAccepting(info('SaveImage'), '*')?.name).toBe('images');
    expect(inputAccepting(info('SaveImage'), 'LATENT')).toBeUndefined();
  });

  it('lets a string feed a combo, by the shared link rule', () => {
    expect(inputAccepting(info('KSampler'), 'STRING')?.name).toBe('sampler_name');
  });

  it('finds the first output that feeds an input', () => {
    expect(outputFeeding(info('LoadImage'), 'MASK')).toBe(1);
    expect(outputFeeding(info('LoadImage'), 'IMAGE')).toBe(0);
    expect(outputFeeding(info('LoadImage'), 'LATENT')).toBe(-1);
    expect(outputFeeding(info('PrimitiveStringMultiline'), 'COMBO')).toBe(0);
  });

  it('fits a loose wire by the side it was dragged from; a wire of unknown type fits all', () => {
    expect(fitsWire(info('SaveImage'), 'IMAGE', true)).toBe(true);
    expect(fitsWire(info('SaveImage'), 'IMAGE', false)).toBe(false);
    expect(fitsWire(info('ImageInvert'), 'IMAGE', false)).toBe(true);
    expect(fitsWire(info('EmptyLatentImage'), 'IMAGE', true)).toBe(false);
    expect(fitsWire(info('EmptyLatentImage'), undefined, true)).toBe(true);
  });
});

describe('wiring', () => {
  const graph: EditorGraph = {
    nodes: [ink('1', 'LoadImage'), ink('2', 'LoadImage'), ink('3', 'ImageInvert')],
    edges: [edgeFor({ source: '1', sourceHandle: 'out-0', target: '3', targetHandle: 'image' })],
  };

  it('names an edge by its ends', () => {
    expect(edgeFor({ source: '1', sourceHandle: 'out-0', target: '3', targetHandle: 'image' }).id).toBe(
      '1:out-0->3:image',
    );
  });

  it('replaces what fed an input when a new wire goes into it', () => {
    const next = connect(graph, { source: '2', sourceHandle: 'out-0', target: '3', targetHandle: 'image' });
    expect(next.edges.map((edge) => edge.id)).toEqual(['2:out-0->3:image']);
  });

  it('splits a wire with a reroute centred where it was clicked', () => {
    const next = insertReroute(graph, graph.edges[0]!, { x: 100, y: 50 }, 'r');
    expect(next.nodes.at(-1)).toEqual({ id: 'r', type: 'reroute', position: { x: 93, y: 43 }, data: {} });
    expect(next.edges.map((edge) => edge.id)).toEqual(['1:out-0->r:in', 'r:out->3:image']);
  });

  it('drops the wires of removed nodes and keeps the edges as they were when nothing is removed', () => {
    expect(edgesWithout(graph.edges, new Set(['1']))).toEqual([]);
    expect(edgesWithout(graph.edges, new Set(['2']))).toEqual(graph.edges);
    expect(edgesWithout(graph.edges, new Set())).toBe(graph.edges);
  });

  it('turns a drop into a connection, ends swapped for a wire dragged from an input', () => {
    const from = { nodeId: 'a', handleId: 'out-0' };
    const to = { nodeId: 'b', handleId: 'image' };
    expect(droppedAttempt({ ...from, fromSource: true }, to)).toEqual({
      source: 'a',
      sourceHandle: 'out-0',
      target: 'b',
      targetHandle: 'image',
    });
    expect(
      droppedAttempt({ nodeId: 'b', handleId: 'image', fromSource: false }, { nodeId: 'a', handleId: 'out-0' }),
    ).toEqual({ source: 'a', sourceHandle: 'out-0', target: 'b', targetHandle: 'image' });
  });
});

describe('adding a node', () => {
  const graph: EditorGraph = { nodes: [ink('1', 'LoadImage', { selected: true }), ink('5', 'SaveImage')], edges: [] };

  it('adds the next numbered node as the only selected one', () => {
    const next = addNode(graph, info('ImageInvert'), { x: 10, y: 20 }, objectInfo);
    expect(next.nodes.map((node) => [node.id, node.selected])).toEqual([
      ['1', false],
      ['5', false],
      ['6', true],
    ]);
    expect(next.nodes[2]?.position).toEqual({ x: 10, y: 20 });
    expect(next.edges).toEqual([]);
  });

  it('connects a wire dragged from an output to the first input that takes it', () => {
    const next = addNode(graph, info('ImageInvert'), { x: 0, y: 0 }, objectInfo, {
      nodeId: '1',
      handleId: 'out-0',
      fromSource: true,
    });
    expect(next.edges.map((edge) => edge.id)).toEqual(['1:out-0->6:image']);
  });

  it('connects a wire dragged from an input to the first output that feeds it', () => {
    const next = addNode(graph, info('LoadImage'), { x: 0, y: 0 }, objectInfo, {
      nodeId: '5',
      handleId: 'images',
      fromSource: false,
    });
    expect(next.edges.map((edge) => edge.id)).toEqual(['6:out-0->5:images']);
  });

  it('adds the node unconnected when nothing fits', () => {
    const next = addNode(graph, info('EmptyLatentImage'), { x: 0, y: 0 }, objectInfo, {
      nodeId: '1',
      handleId: 'out-0',
      fromSource: true,
    });
    expect(next.nodes).toHaveLength(3);
    expect(next.edges).toEqual([]);
  });

  it("reads a loose wire's type from its output, or from the input it leaves", () => {
    const nodes = new Map(graph.nodes.map((node) => [node.id, node]));
    expect(looseWireType({ nodeId: '1', handleId: 'out-1', fromSource: true }, nodes, [], objectInfo)).toBe('MASK');
    expect(looseWireType({ nodeId: '5', handleId: 'images', fromSource: false }, nodes, [], objectInfo)).toBe('IMAGE');
    expect(
      looseWireType({ nodeId: 'gone', handleId: 'out-0', fromSource: true }, nodes, [], objectInfo),
    ).toBeUndefined();
  });

  it('takes a wire from an unfed reroute as any type', () => {
    const withReroute: EditorGraph = { nodes: [...graph.nodes, reroute('r')], edges: [] };
    const next = addNode(withReroute, info('SaveImage'), { x: 0, y: 0 }, objectInfo, {
      nodeId: 'r',
      handleId: 'out',
      fromSource: true,
    });
    expect(next.edges.map((edge) => edge.id)).toEqual(['r:out->6:images']);
  });
});

describe('node edits', () => {
  const graph: EditorGraph = {
    nodes: [
      ink('1', 'LoadImage', { selected: true, position: { x: 100, y: 100 } }),
      ink('2', 'ImageInvert', {
        selected: true,
        position: { x: 500, y: 300 },
        measured: { width: 200, height: 100 },
      }),
      ink('3', 'SaveImage'),
      reroute('r'),
    ],
    edges: [],
  };
  const inkData = (next: EditorGraph, id: string) => {
    const node = next.nodes.find((candidate) => candidate.id === id);
    return node?.type === 'ink' ? node.data : undefined;
  };

  it('measures a node, or guesses before it is drawn', () => {
    expect(nodeSize(graph.nodes[1])).toEqual({ width: 200, height: 100 });
    expect(nodeSize(graph.nodes[0])).toEqual({ width: 300, height: 200 });
    expect(nodeSize(undefined)).toEqual({ width: 300, height: 200 });
  });

  it('selects', () => {
    expect([...selectedIds(graph)]).toEqual(['1', '2']);
    expect(selectAll(graph).nodes.every((node) => node.selected)).toBe(true);
  });

  it('finds the one selected workflow node, ignoring reroutes and groups', () => {
    expect(soleSelectedInk(graph)).toBeUndefined();
    const one: EditorGraph = {
      ...graph,
      nodes: graph.nodes.map((node) => ({ ...node, selected: node.id === '2' || node.id === 'r' })),
    };
    expect(soleSelectedInk(one)?.id).toBe('2');
    expect(soleSelectedInk({ ...graph, nodes: [] })).toBeUndefined();
  });

  it('toggles bypass and mute of the selected nodes, back to normal when already set', () => {
    const bypassed = toggleModeOfSelected(graph, 4);
    expect([inkData(bypassed, '1')?.mode, inkData(bypassed, '2')?.mode, inkData(bypassed, '3')?.mode]).toEqual([
      4, 4, 0,
    ]);
    expect(inkData(toggleModeOfSelected(bypassed, 2), '1')?.mode).toBe(2);
    expect(inkData(toggleModeOfSelected(bypassed, 4), '1')?.mode).toBe(0);
  });

  it('toggles collapse of the selected nodes', () => {
    const collapsed = toggleCollapsedOfSelected(graph);
    expect([inkData(collapsed, '1')?.collapsed, inkData(collapsed, '3')?.collapsed]).toEqual([true, false]);
    expect(inkData(toggleCollapsedOfSelected(collapsed), '1')?.collapsed).toBe(false);
  });

  it('sets a widget value and a seed control of one node', () => {
    const next = setSeedControl(setWidgetValue(graph, '3', 'filename_prefix', 'out'), '3', 'seed', 'fixed');
    expect(inkData(next, '3')?.widgets).toEqual({ filename_prefix: 'out' });
    expect(inkData(next, '3')?.controls).toEqual({ seed: 'fixed' });
    expect(inkData(next, '1')?.widgets).toEqual({});
  });

  it('frames the selection in a group behind it', () => {
    const next = groupSelection(graph, 'g', 'Group');
    expect(next?.nodes[0]).toEqual({
      id: 'g',
      type: 'group',
      position: { x: 70, y: 50 },
      width: 660,
      height: 380,
      style: { width: 660, height: 380 },
      zIndex: -1,
      data: { title: 'Group' },
    });
    expect(next?.nodes.slice(1)).toEqual(graph.nodes);
    expect(groupSelection({ ...graph, nodes: [ink('3', 'SaveImage')] }, 'g', 'Group')).toBeUndefined();
    expect(setGroupTitle(next!, 'g', 'Inputs').nodes[0]?.data).toEqual({ title: 'Inputs' });
  });

  it('duplicates the selection with fresh ids, the copies selected', () => {
    const next = duplicateSelection(graph, selectedIds(graph), objectInfo);
    expect(next.nodes.map((node) => [node.id, node.selected === true])).toEqual([
      ['1', false],
      ['2', false],
      ['3', false],
      ['r', false],
      ['4', true],
      ['5', true],
    ]);
  });
});

describe('workflow files', () => {
  const document = { nodes: [], links: [] };
  const file = (name: string, content: string | Uint8Array<ArrayBuffer>) => new File([content], name);

  it('reads JSON, the name without its extension', async () => {
    expect(await readWorkflowFile(file('my flow.json', JSON.stringify(document)), 'json')).toEqual({
      document,
      name: 'my flow',
    });
    expect(await readWorkflowFile(file('broken.json', '{'), 'json')).toBeUndefined();
  });

  it("reads a PNG's embedded workflow", async () => {
    const pixels = { width: 1, height: 1, channels: 3 as const, data: new Uint8Array(3) };
    const png = new Uint8Array(encodePng(pixels, { text: { workflow: JSON.stringify(document) } }));
    expect(await readWorkflowFile(file('render.PNG', png), 'png')).toEqual({ document, name: 'render' });
    expect(await readWorkflowFile(file('plain.png', new Uint8Array(encodePng(pixels))), 'png')).toBeUndefined();
  });
});
