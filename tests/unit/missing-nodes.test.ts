import { describe, expect, it } from 'vitest';
import { describeMissingNodes, missingNodes } from '../../client/src/graph/missing-nodes.js';
import { graphToWorkflow, workflowToGraph } from '../../client/src/graph/workflow-graph.js';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { toLitegraph } from '../../shared/litegraph-export.js';
import { fromLitegraph } from '../../shared/litegraph-import.js';
import { parseWorkflowDocument } from '../../shared/workflow.js';

const objectInfo = buildObjectInfo(createRegistry(), {
  inputDir: '/none',
  outputDir: '/none',
  tempDir: '/none',
  modelsDir: '/none',
});

/** LoadImage → FancyUpscale (unknown) → SaveImage, through a Reroute into the unknown node. */
const fancy = {
  id: 2,
  type: 'FancyUpscale',
  title: 'My upscaler',
  pos: [400, 50],
  size: [315, 130],
  flags: {},
  order: 2,
  mode: 0,
  inputs: [
    { name: 'image', type: 'IMAGE', link: 2 },
    { name: 'model_name', type: 'COMBO', widget: { name: 'model_name' }, link: null },
  ],
  outputs: [
    { name: 'IMAGE', type: 'IMAGE', links: [3], slot_index: 0 },
    { name: 'scale', type: 'FLOAT', links: [], slot_index: 1 },
  ],
  properties: { 'Node name for S&R': 'FancyUpscale', cnr_id: 'fancy-pack', ver: '1.2.3' },
  widgets_values: ['4x-ultra.pth', 2.5, true],
};
const workflow = {
  last_node_id: 4,
  last_link_id: 3,
  nodes: [
    {
      id: 1,
      type: 'LoadImage',
      pos: [0, 0],
      size: [315, 314],
      mode: 0,
      inputs: [],
      outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [1] }],
      widgets_values: ['a.png', 'image'],
    },
    {
      id: 4,
      type: 'Reroute',
      pos: [300, 0],
      inputs: [{ name: '', type: '*', link: 1 }],
      outputs: [{ name: '', type: 'IMAGE', links: [2] }],
    },
    fancy,
    {
      id: 3,
      type: 'SaveImage',
      pos: [800, 0],
      size: [315, 270],
      mode: 0,
      inputs: [{ name: 'images', type: 'IMAGE', link: 3 }],
      outputs: [],
      widgets_values: ['out'],
    },
  ],
  links: [
    [1, 1, 0, 4, 0, 'IMAGE'],
    [2, 4, 0, 2, 0, 'IMAGE'],
    [3, 2, 0, 3, 0, 'IMAGE'],
  ],
  groups: [],
  version: 0.4,
};

describe('missing node types (issue #15)', () => {
  it('are still refused by default, each named (the CLI runs files and cannot show them)', () => {
    expect(fromLitegraph(workflow, objectInfo)).toEqual({
      ok: false,
      reason: 'this workflow uses node types Inkgraph does not have: FancyUpscale',
    });
  });

  it('are kept with their links and serialised fields when the editor asks', () => {
    const result = fromLitegraph(workflow, objectInfo, { keepMissing: true });
    if (!result.ok) throw new Error(result.reason);
    const node = result.value.prompt['2']!;
    expect(node.class_type).toBe('FancyUpscale');
    // The link came through the Reroute: it starts at LoadImage.
    expect(node.inputs).toEqual({ image: ['1', 0] });
    expect(node._meta).toEqual({
      title: 'My upscaler',
      pos: [400, 50],
      size: [315, 130],
      missing: {
        inputs: [
          { name: 'image', type: 'IMAGE' },
          { name: 'model_name', type: 'COMBO', widget: { name: 'model_name' } },
        ],
        outputs: [
          { name: 'IMAGE', type: 'IMAGE' },
          { name: 'scale', type: 'FLOAT' },
        ],
        widgets_values: ['4x-ultra.pth', 2.5, true],
        properties: { 'Node name for S&R': 'FancyUpscale', cnr_id: 'fancy-pack', ver: '1.2.3' },
        size: [315, 130],
      },
    });
    expect(result.value.prompt['3']!.inputs.images).toEqual(['2', 0]);
    expect(parseWorkflowDocument(result.value).ok).toBe(true);
  });

  it('open in the editor and save back through the UI format unchanged', () => {
    const imported = fromLitegraph(workflow, objectInfo, { keepMissing: true });
    if (!imported.ok) throw new Error(imported.reason);
    const parsed = parseWorkflowDocument(imported.value);
    if (!parsed.ok) throw new Error(parsed.reason);
    const { graph } = workflowToGraph(parsed.value.envelope, objectInfo);
    const editorNode = graph.nodes.find((node) => node.id === '2');
    expect(editorNode?.type).toBe('ink');
    expect(
      graph.edges.map((edge) => `${edge.source}:${edge.sourceHandle}->${edge.target}:${edge.targetHandle}`),
    ).toEqual(expect.arrayContaining(['1:out-0->2:image', '2:out-0->3:images']));

    const exported = toLitegraph(graphToWorkflow(graph), objectInfo) as {
      nodes: Record<string, unknown>[];
      links: unknown[][];
    };
    const back = exported.nodes.find((node) => node.id === 2)!;
    expect(back.type).toBe('FancyUpscale');
    expect(back.title).toBe('My upscaler');
    expect(back.pos).toEqual([400, 50]);
    expect(back.size).toEqual([315, 130]);
    expect(back.properties).toEqual(fancy.properties);
    expect(back.widgets_values).toEqual(fancy.widgets_values);
    const inputs = back.inputs as { name: string; type: string; link: number | null; widget?: unknown }[];
    expect(inputs.map(({ name, type, widget }) => ({ name, type, widget }))).toEqual([
      { name: 'image', type: 'IMAGE', widget: undefined },
      { name: 'model_name', type: 'COMBO', widget: { name: 'model_name' } },
    ]);
    expect(inputs[1]!.link).toBeNull();
    const outputs = back.outputs as { name: string; type: string; links: number[] }[];
    expect(outputs.map(({ name, type }) => [name, type])).toEqual([
      ['IMAGE', 'IMAGE'],
      ['scale', 'FLOAT'],
    ]);
    // Its wires: LoadImage → image (slot 0), output 0 → SaveImage, typed from the recorded slots.
    const into = exported.links.find((link) => link[0] === inputs[0]!.link)!;
    expect(into.slice(1)).toEqual([1, 0, 2, 0, 'IMAGE']);
    expect(outputs[0]!.links).toHaveLength(1);
    const out = exported.links.find((link) => link[0] === outputs[0]!.links[0])!;
    expect(out.slice(1)).toEqual([2, 0, 3, 0, 'IMAGE']);
    expect(outputs[1]!.links).toEqual([]);

    // And it reads back the same a second time.
    const again = fromLitegraph(exported, objectInfo, { keepMissing: true });
    if (!again.ok) throw new Error(again.reason);
    expect(again.value.prompt['2']).toEqual(imported.value.prompt['2']);
  });

  it('keep a workflow from being queued, each named with its type, unless muted', () => {
    const imported = fromLitegraph(workflow, objectInfo, { keepMissing: true });
    if (!imported.ok) throw new Error(imported.reason);
    const found = missingNodes(imported.value, objectInfo);
    expect(found).toEqual([{ id: '2', title: 'My upscaler', type: 'FancyUpscale' }]);
    expect(describeMissingNodes(found)).toBe('#2 My upscaler (FancyUpscale)');
    expect(describeMissingNodes([{ id: '7', title: 'X', type: 'X' }])).toBe('#7 X');

    const muted = structuredClone(imported.value);
    muted.prompt['2']!._meta = { ...muted.prompt['2']!._meta, mode: 2 };
    expect(missingNodes(muted, objectInfo)).toEqual([]);
    const bypassed = structuredClone(imported.value);
    bypassed.prompt['2']!._meta = { ...bypassed.prompt['2']!._meta, mode: 4 };
    expect(missingNodes(bypassed, objectInfo)).toHaveLength(1);
  });
});
