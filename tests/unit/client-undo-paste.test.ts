import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { copySelection, PASTE_NUDGE, pasteWorkflowText, unstackedOffset } from '../../client/src/graph/clipboard.js';
import { duplicateSelection } from '../../client/src/graph/duplicate.js';
import { commit, createHistory, undo } from '../../client/src/graph/history.js';
import { removeElements } from '../../client/src/graph/node-edits.js';
import { adoptSeeds, applySeedControls, createNode } from '../../client/src/graph/node-factory.js';
import type { EditorGraph, EditorNode, InkNode } from '../../client/src/graph/types.js';

const objectInfo = buildObjectInfo(createRegistry(), {
  inputDir: '/none',
  outputDir: '/none',
  tempDir: '/none',
  modelsDir: '/none',
});

const load = createNode(objectInfo.LoadImage!, '1', { x: 0, y: 0 }, 'Load Image');
const invert = createNode(objectInfo.ImageInvert!, '2', { x: 300, y: 0 }, 'Invert');
const save = createNode(objectInfo.SaveImage!, '3', { x: 600, y: 50 }, 'Save');
const chain: EditorGraph = {
  nodes: [load, invert, save],
  edges: [
    { id: 'a', source: '1', sourceHandle: 'out-0', target: '2', targetHandle: 'image' },
    { id: 'b', source: '2', sourceHandle: 'out-0', target: '3', targetHandle: 'images' },
  ],
};
const positions = (graph: EditorGraph, ids: readonly string[]) =>
  ids.map((id) => graph.nodes.find((node) => node.id === id)!.position);

describe('deleting as one undo step', () => {
  it('removes the nodes, their wires and the edges named, in one change that one undo takes back', () => {
    const removed = removeElements(chain, new Set(['2']), new Set());
    expect(removed.nodes.map((node) => node.id)).toEqual(['1', '3']);
    expect(removed.edges).toEqual([]);
    const history = undo(commit(createHistory(chain), removed, { now: 1 }));
    expect(history.present).toBe(chain);
    expect(removeElements(chain, new Set(), new Set(['b'])).edges.map((edge) => edge.id)).toEqual(['a']);
    expect(removeElements(chain, new Set(), new Set())).toBe(chain);
  });
});

describe('seeds a run moved', () => {
  const sampler = (seed: number, control: 'fixed' | 'randomize'): InkNode => {
    const node = createNode(objectInfo.KSampler!, '5', { x: 0, y: 0 }, 'KSampler');
    return { ...node, data: { ...node.data, widgets: { ...node.data.widgets, seed }, controls: { seed: control } } };
  };

  it('are taken into the graph as it is now, its other edits kept', () => {
    const before: EditorGraph = { nodes: [sampler(42, 'randomize')], edges: [] };
    // 0.25 of [0, 2^50]: the seed the prompt was queued with.
    const seeded = applySeedControls(before, objectInfo, () => 0.25);
    const queuedSeed = 2 ** 48;
    expect((seeded.nodes[0] as InkNode).data.widgets.seed).toBe(queuedSeed);
    // Meanwhile the user changed the steps.
    const edited: EditorGraph = {
      nodes: [
        { ...sampler(42, 'randomize'), data: { ...sampler(42, 'randomize').data, widgets: { seed: 42, steps: 3 } } },
      ],
      edges: [],
    };
    const adopted = adoptSeeds(edited, seeded);
    expect((adopted.nodes[0] as InkNode).data.widgets).toEqual({ seed: queuedSeed, steps: 3 });
    expect(adoptSeeds(before, before)).toBe(before);
  });

  it('leave fixed seeds and removed nodes alone', () => {
    const fixed: EditorGraph = { nodes: [sampler(7, 'fixed')], edges: [] };
    expect(adoptSeeds(fixed, { nodes: [sampler(99, 'fixed')], edges: [] })).toBe(fixed);
    const gone: EditorGraph = { nodes: [], edges: [] };
    expect(adoptSeeds(gone, { nodes: [sampler(99, 'randomize')], edges: [] })).toBe(gone);
  });
});

describe('paste at the mouse', () => {
  it("puts the pasted group's top-left at the point", () => {
    const text = copySelection(chain, new Set(['2', '3']));
    const pasted = pasteWorkflowText(chain, text, objectInfo, { x: 1000, y: 700 });
    if (!pasted.ok) throw new Error(pasted.reason);
    // Invert was at (300, 0) and Save at (600, 50): the group's top-left is (300, 0).
    expect(positions(pasted.value.graph, pasted.value.pasted)).toEqual([
      { x: 1000, y: 700 },
      { x: 1300, y: 750 },
    ]);
  });

  it('moves a second paste at the same point on, so the copies do not stack exactly', () => {
    const text = copySelection(chain, new Set(['2']));
    const once = pasteWorkflowText(chain, text, objectInfo, { x: 1000, y: 700 });
    if (!once.ok) throw new Error(once.reason);
    const twice = pasteWorkflowText(once.value.graph, text, objectInfo, { x: 1000, y: 700 });
    if (!twice.ok) throw new Error(twice.reason);
    expect(positions(twice.value.graph, twice.value.pasted)).toEqual([{ x: 1000 + PASTE_NUDGE, y: 700 + PASTE_NUDGE }]);
    const thrice = pasteWorkflowText(twice.value.graph, text, objectInfo, { x: 1000, y: 700 });
    if (!thrice.ok) throw new Error(thrice.reason);
    expect(positions(thrice.value.graph, thrice.value.pasted)).toEqual([
      { x: 1000 + 2 * PASTE_NUDGE, y: 700 + 2 * PASTE_NUDGE },
    ]);
  });

  it('without a point, offsets by 40 px from the copy, and a second duplicate does not hide the first', () => {
    const selected = (graph: EditorGraph, id: string): EditorGraph => ({
      ...graph,
      nodes: graph.nodes.map((node): EditorNode => ({ ...node, selected: node.id === id })),
    });
    const once = duplicateSelection(selected(chain, '2'), new Set(['2']), objectInfo);
    expect(positions(once, ['4'])).toEqual([{ x: 340, y: 40 }]);
    const twice = duplicateSelection(once, new Set(['2']), objectInfo);
    expect(positions(twice, ['5'])).toEqual([{ x: 340 + PASTE_NUDGE, y: 40 + PASTE_NUDGE }]);
  });

  it('offsets only past exact overlaps', () => {
    expect(unstackedOffset([{ x: 10, y: 10 }], [{ x: 0, y: 0 }], { dx: 10, dy: 11 })).toEqual({ dx: 10, dy: 11 });
    expect(unstackedOffset([{ x: 10, y: 10 }], [{ x: 0, y: 0 }], { dx: 10, dy: 10 })).toEqual({
      dx: 10 + PASTE_NUDGE,
      dy: 10 + PASTE_NUDGE,
    });
    expect(unstackedOffset([], [{ x: 0, y: 0 }], { dx: 5, dy: 5 })).toEqual({ dx: 5, dy: 5 });
  });
});
