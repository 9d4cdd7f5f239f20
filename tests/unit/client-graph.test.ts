import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { validateConnection } from '../../client/src/graph/connection-rules.js';
import { commit, createHistory, groupKeys, redo, undo } from '../../client/src/graph/history.js';
import { graphToWorkflow, workflowToGraph } from '../../client/src/graph/workflow-graph.js';
import type { EditorEdge, EditorNode, InkNode } from '../../client/src/graph/types.js';
import { compileWorkflow } from '../../shared/workflow-compile.js';
import { parseWorkflowDocument, type WorkflowEnvelope } from '../../shared/workflow.js';

const objectInfo = buildObjectInfo(createRegistry(), {
  inputDir: '/none',
  outputDir: '/none',
  tempDir: '/none',
  modelsDir: '/none',
});

function ink(id: string, classType: string): InkNode {
  return {
    id,
    type: 'ink',
    position: { x: 0, y: 0 },
    data: { classType, title: classType, widgets: {}, mode: 0, collapsed: false, controls: {} },
  };
}

const nodes = new Map<string, EditorNode>([
  ['load', ink('load', 'LoadImage')],
  ['invert', ink('invert', 'ImageInvert')],
  ['save', ink('save', 'SaveImage')],
  ['text', ink('text', 'PrimitiveStringMultiline')],
  ['clip', ink('clip', 'CLIPTextEncode')],
  ['r1', { id: 'r1', type: 'reroute', position: { x: 0, y: 0 }, data: {} }],
]);

describe('validateConnection', () => {
  const edges: EditorEdge[] = [
    { id: 'e1', source: 'load', sourceHandle: 'out-0', target: 'invert', targetHandle: 'image' },
  ];

  it('accepts matching types, widget inputs fed by a matching output, and reroutes', () => {
    expect(
      validateConnection(
        { source: 'invert', sourceHandle: 'out-0', target: 'save', targetHandle: 'images' },
        nodes,
        edges,
        objectInfo,
      ),
    ).toEqual({ ok: true, value: 'IMAGE' });
    expect(
      validateConnection(
        { source: 'text', sourceHandle: 'out-0', target: 'clip', targetHandle: 'text' },
        nodes,
        edges,
        objectInfo,
      ).ok,
    ).toBe(true);
    expect(
      validateConnection(
        { source: 'text', sourceHandle: 'out-0', target: 'save', targetHandle: 'filename_prefix' },
        nodes,
        edges,
        objectInfo,
      ).ok,
    ).toBe(true);
    expect(
      validateConnection(
        { source: 'load', sourceHandle: 'out-0', target: 'r1', targetHandle: 'in' },
        nodes,
        edges,
        objectInfo,
      ).ok,
    ).toBe(true);
  });

  it('refuses with a reason: type mismatch, same node, cycles, unknown handles', () => {
    expect(
      validateConnection(
        { source: 'load', sourceHandle: 'out-1', target: 'save', targetHandle: 'images' },
        nodes,
        edges,
        objectInfo,
      ),
    ).toEqual({
      ok: false,
      reason: { refusal: 'typeMismatch', params: { from: 'MASK', to: 'IMAGE' } },
    });
    expect(
      validateConnection(
        { source: 'invert', sourceHandle: 'out-0', target: 'invert', targetHandle: 'image' },
        nodes,
        edges,
        objectInfo,
      ),
    ).toMatchObject({ reason: { refusal: 'sameNode' } });
    const loop: EditorEdge[] = [
      ...edges,
      { id: 'e2', source: 'invert', sourceHandle: 'out-0', target: 'r1', targetHandle: 'in' },
    ];
    expect(
      validateConnection(
        { source: 'r1', sourceHandle: 'out', target: 'invert', targetHandle: 'image' },
        nodes,
        loop,
        objectInfo,
      ),
    ).toMatchObject({ ok: false, reason: { refusal: 'cycle' } });
    expect(
      validateConnection(
        { source: 'load', sourceHandle: 'out-0', target: 'save', targetHandle: 'nope' },
        nodes,
        edges,
        objectInfo,
      ),
    ).toMatchObject({ reason: { refusal: 'noSuchInput' } });
    expect(
      validateConnection(
        { source: 'load', sourceHandle: 'out-5', target: 'save', targetHandle: 'images' },
        nodes,
        edges,
        objectInfo,
      ),
    ).toMatchObject({ reason: { refusal: 'noSuchOutput' } });
  });

  it('types a reroute by what feeds it', () => {
    const fed: EditorEdge[] = [{ id: 'e', source: 'load', sourceHandle: 'out-1', target: 'r1', targetHandle: 'in' }];
    expect(
      validateConnection(
        { source: 'r1', sourceHandle: 'out', target: 'save', targetHandle: 'images' },
        nodes,
        fed,
        objectInfo,
      ),
    ).toMatchObject({ reason: { refusal: 'typeMismatch', params: { from: 'MASK' } } });
  });
});

describe('workflow ⇄ graph', () => {
  const document: WorkflowEnvelope = {
    format: 'inkgraph-workflow',
    version: 1,
    prompt: {
      '1': {
        class_type: 'LoadImage',
        inputs: { image: 'a.png' },
        _meta: { title: 'Load', pos: [10, 20], size: [200, 100] },
      },
      '2': {
        class_type: 'ImageInvert',
        inputs: { image: ['1', 0] },
        _meta: { title: 'Invert', pos: [300, 20], mode: 4, via: { image: 'r1' } },
      },
      '3': {
        class_type: 'SaveImage',
        inputs: { images: ['2', 0], filename_prefix: 'out' },
        _meta: { title: 'Save', pos: [600, 20], collapsed: true },
      },
    },
    groups: [{ id: 'g1', title: 'Images', bounding: [0, 0, 800, 300] }],
    reroutes: [{ id: 'r1', pos: [250, 80], from: ['1', 0] }],
    viewport: { x: 5, y: 6, zoom: 0.8 },
  };

  it('round-trips layout, modes, groups, reroutes and the viewport', () => {
    const { graph, needsLayout } = workflowToGraph(document, objectInfo);
    expect(needsLayout).toBe(false);
    expect(graph.nodes.map((n) => n.type).sort()).toEqual(['group', 'ink', 'ink', 'ink', 'reroute']);
    expect(graph.edges.map((e) => `${e.source}>${e.target}:${e.targetHandle}`).sort()).toEqual([
      '1>r1:in',
      '2>3:images',
      'r1>2:image',
    ]);
    const back = graphToWorkflow(graph);
    expect(back.prompt['2']).toEqual(document.prompt['2']);
    expect(back.prompt['3']!._meta).toMatchObject({ collapsed: true, title: 'Save' });
    expect(back.reroutes).toEqual(document.reroutes);
    expect(back.groups).toEqual(document.groups);
    expect(back.viewport).toEqual(document.viewport);
    expect(parseWorkflowDocument(back).ok).toBe(true);
    // What runs: the bypassed invert passes the image straight through.
    expect(compileWorkflow(back, objectInfo)['3']!.inputs.images).toEqual(['1', 0]);
  });

  it('flags a bare API prompt for auto-layout and keeps its values', () => {
    const bare = parseWorkflowDocument({
      '5': { class_type: 'ImageInvert', inputs: { image: ['6', 0] } },
      '6': { class_type: 'LoadImage', inputs: { image: 'b.png' } },
    });
    if (!bare.ok) throw new Error(bare.reason);
    const { graph, needsLayout } = workflowToGraph(bare.value.envelope, objectInfo);
    expect(needsLayout).toBe(true);
    const load = graph.nodes.find((n) => n.id === '6') as InkNode;
    expect(load.data.widgets).toEqual({ image: 'b.png' });
    expect(load.data.title).toBe('Load Image');
  });
});

describe('undo history grouping', () => {
  it('groups a typing burst into one step, and separates other edits', () => {
    let history = createHistory('');
    const typing = groupKeys.typing('6', 'text');
    history = commit(history, 'a', { group: typing, now: 0 });
    history = commit(history, 'ab', { group: typing, now: 300 });
    history = commit(history, 'abc', { group: typing, now: 600 });
    expect(history.past).toEqual(['']);
    history = commit(history, 'abcd', { group: typing, now: 5000 });
    expect(history.past).toEqual(['', 'abc']);
    history = commit(history, 'moved', { group: groupKeys.drag(['2', '1']), now: 5100 });
    history = commit(history, 'moved more', { group: groupKeys.drag(['1', '2']), now: 5200 });
    expect(history.past).toEqual(['', 'abc', 'abcd']);
    history = undo(history);
    expect(history.present).toBe('abcd');
    history = redo(history);
    expect(history.present).toBe('moved more');
    history = undo(undo(history));
    history = commit(history, 'new branch', { now: 6000 });
    expect(history.future).toEqual([]);
  });

  it('keeps at most 64 steps', () => {
    let history = createHistory(0);
    for (let i = 1; i <= 100; i++) history = commit(history, i, { now: i * 10_000 });
    expect(history.past).toHaveLength(64);
    expect(history.past[0]).toBe(36);
  });
});
