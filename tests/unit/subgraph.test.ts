import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import {
  convertToSubgraph,
  displayNodeId,
  flattenSubgraphs,
  nextUniqueName,
  renameSubgraphSlot,
  reorderSubgraphSlot,
  unpackSubgraph,
  withSubgraphTypes,
} from '../../shared/subgraph.js';
import { compileWorkflow } from '../../shared/workflow-compile.js';
import { parseWorkflowDocument, type WorkflowEnvelope } from '../../shared/workflow.js';

const env = { inputDir: '/nonexistent', outputDir: '/nonexistent', tempDir: '/nonexistent', modelsDir: '/nonexistent' };
const objectInfo = buildObjectInfo(createRegistry(), env);

function envelope(prompt: WorkflowEnvelope['prompt']): WorkflowEnvelope {
  return { version: 1, prompt, groups: [], reroutes: [] };
}

const base: WorkflowEnvelope['prompt'] = {
  '1': { class_type: 'LoadImage', inputs: { image: 'a.png' }, _meta: { title: 'Load', pos: [0, 0], size: [200, 100] } },
  '2': {
    class_type: 'ImageInvert',
    inputs: { image: ['1', 0] },
    _meta: { title: 'Invert', pos: [300, 0], size: [200, 100] },
  },
  '3': {
    class_type: 'ImageScale',
    inputs: { image: ['2', 0], upscale_method: 'area', width: 8, height: 8, crop: 'disabled' },
    _meta: { title: 'Scale', pos: [600, 0], size: [200, 100] },
  },
  '4': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'x' }, _meta: { pos: [900, 0] } },
  '5': { class_type: 'PreviewImage', inputs: { images: ['2', 0] }, _meta: { pos: [900, 300] } },
};

let slot = 0;
const convert = (document: WorkflowEnvelope, selected: string[], instanceId = '9', definitionId = 'sub-a') =>
  convertToSubgraph(document, selected, {
    definitionId,
    instanceId,
    name: 'New Subgraph',
    objectInfo: withSubgraphTypes(objectInfo, document.definitions?.subgraphs ?? []),
    slotId: () => `slot-${slot++}`,
  });

describe('subgraphs', () => {
  it('names like litegraph: name, name_1, name_2', () => {
    expect(nextUniqueName('seed', [])).toBe('seed');
    expect(nextUniqueName('seed', ['seed', 'seed_1'])).toBe('seed_2');
  });

  it('converts a selection: boundary links become typed, named inputs and outputs of one instance node', () => {
    const converted = convert(envelope(base), ['2', '3'])!;
    const { definition } = converted;
    expect(definition.inputs.map(({ name, type }) => ({ name, type }))).toEqual([{ name: 'image', type: 'IMAGE' }]);
    // ImageInvert's output feeds the preview outside, ImageScale's the save: two outputs, in node order.
    expect(definition.outputs.map(({ name, type, link }) => ({ name, type, link }))).toEqual([
      { name: 'IMAGE', type: 'IMAGE', link: ['2', 0] },
      { name: 'IMAGE_1', type: 'IMAGE', link: ['3', 0] },
    ]);
    expect(definition.nodes['2']!.inputs.image).toEqual(['-10', 0]);
    expect(definition.nodes['3']!.inputs.image).toEqual(['2', 0]);
    const { prompt } = converted.envelope;
    expect(Object.keys(prompt).sort()).toEqual(['1', '4', '5', '9']);
    expect(prompt['9']).toMatchObject({ class_type: 'sub-a', inputs: { image: ['1', 0] } });
    expect(prompt['4']!.inputs.images).toEqual(['9', 1]);
    expect(prompt['5']!.inputs.images).toEqual(['9', 0]);
    // The document still reads back.
    expect(parseWorkflowDocument(converted.envelope).ok).toBe(true);
  });

  it('groups links from one outside output into one input, and dedupes names', () => {
    const prompt = structuredClone(base);
    prompt['6'] = { class_type: 'ImageInvert', inputs: { image: ['1', 0] } };
    prompt['7'] = { class_type: 'ImageInvert', inputs: { image: ['6', 0] } };
    const { definition } = convert(envelope(prompt), ['2', '7'])!;
    expect(definition.inputs.map((input) => input.name)).toEqual(['image', 'image_1']);
    expect(definition.nodes['7']!.inputs.image).toEqual(['-10', 1]);
    const { definition: shared } = convert(envelope(prompt), ['2', '6'])!;
    expect(shared.inputs.map((input) => input.name)).toEqual(['image']);
    expect(shared.nodes['6']!.inputs.image).toEqual(['-10', 0]);
  });

  it('flattens instances for the prompt as "<instance>:<inner>", links across the boundary', () => {
    const converted = convert(envelope(base), ['2', '3'])!.envelope;
    const prompt = compileWorkflow(converted, objectInfo);
    expect(Object.keys(prompt).sort()).toEqual(['1', '4', '5', '9:2', '9:3']);
    expect(prompt['9:2']!.inputs.image).toEqual(['1', 0]);
    expect(prompt['9:3']!.inputs.image).toEqual(['9:2', 0]);
    expect(prompt['4']!.inputs.images).toEqual(['9:3', 0]);
    expect(prompt['5']!.inputs.images).toEqual(['9:2', 0]);
    // The same as the original graph, but for the ids.
    const original = compileWorkflow(envelope(base), objectInfo);
    expect(prompt['9:3']!.inputs.width).toBe(original['3']!.inputs.width);
  });

  it('flattens nested instances to "a:b:c"', () => {
    const inner = convert(envelope(base), ['2', '3'])!.envelope;
    const outer = convert(inner, ['9', '4'], '12', 'sub-b')!.envelope;
    const prompt = compileWorkflow(outer, objectInfo);
    expect(Object.keys(prompt).sort()).toEqual(['1', '12:4', '12:9:2', '12:9:3', '5']);
    expect(prompt['12:9:2']!.inputs.image).toEqual(['1', 0]);
    expect(prompt['12:4']!.inputs.images).toEqual(['12:9:3', 0]);
    expect(prompt['5']!.inputs.images).toEqual(['12:9:2', 0]);
    expect(displayNodeId('12:9:3')).toBe('12');
    expect(displayNodeId('12:9:3', ['12'])).toBe('9');
    expect(displayNodeId('5', ['12'])).toBeUndefined();
  });

  it('mutes the inner nodes of a muted instance and passes a bypassed one through', () => {
    const converted = convert(envelope(base), ['2', '3'])!.envelope;
    const muted = structuredClone(converted);
    muted.prompt['9']!._meta = { ...muted.prompt['9']!._meta, mode: 2 };
    let prompt = compileWorkflow(muted, objectInfo);
    expect(prompt['9:2']).toBeUndefined();
    expect(prompt['4']!.inputs.images).toBeUndefined();
    const bypassed = structuredClone(converted);
    bypassed.prompt['9']!._meta = { ...bypassed.prompt['9']!._meta, mode: 4 };
    prompt = compileWorkflow(bypassed, objectInfo);
    expect(prompt['9:2']).toBeUndefined();
    expect(prompt['4']!.inputs.images).toEqual(['1', 0]);
  });

  it('leaves an instance of a subgraph that contains itself unexpanded instead of recursing', () => {
    const looped = envelope({ '1': { class_type: 'loop', inputs: {} } });
    looped.definitions = {
      subgraphs: [
        { id: 'loop', name: 'Loop', nodes: { '1': { class_type: 'loop', inputs: {} } }, inputs: [], outputs: [] },
      ],
    };
    const prompt = flattenSubgraphs(looped.prompt, looped.definitions.subgraphs);
    expect(Object.values(prompt).every((node) => node.class_type === 'loop')).toBe(true);
  });

  it('unpacks an instance back to the original nodes, ids and links', () => {
    const converted = convert(envelope(base), ['2', '3'])!.envelope;
    const { envelope: unpacked, nodeIds } = unpackSubgraph(converted, '9')!;
    expect(nodeIds).toEqual(['2', '3']);
    expect(Object.keys(unpacked.prompt).sort()).toEqual(['1', '2', '3', '4', '5']);
    for (const id of ['1', '2', '3', '4', '5']) expect(unpacked.prompt[id]!.inputs).toEqual(base[id]!.inputs);
    expect(unpacked.prompt['2']!._meta?.pos).toEqual(base['2']!._meta?.pos);
  });

  it('unpacks the groups and reroutes drawn inside, moved with the nodes, reroute ids kept unique', () => {
    const converted = convert(envelope(base), ['2', '3'])!.envelope;
    const definition = converted.definitions!.subgraphs[0]!;
    const innerTarget = Object.entries(definition.nodes).find(([, node]) =>
      Object.values(node.inputs).some((value) => Array.isArray(value) && value[0] !== '-10'),
    );
    expect(innerTarget).toBeDefined();
    const [targetId, target] = innerTarget!;
    const [inputName, link] = Object.entries(target.inputs).find(
      ([, value]) => Array.isArray(value) && value[0] !== '-10',
    )!;
    const drawn = {
      ...converted,
      reroutes: [{ id: 'r1', pos: [0, 0] as [number, number] }],
      definitions: {
        subgraphs: [
          {
            ...definition,
            nodes: {
              ...definition.nodes,
              [targetId]: { ...target, _meta: { ...target._meta, via: { [inputName]: 'r1' } } },
            },
            groups: [{ title: 'Inside', bounding: [0, 0, 100, 50] as [number, number, number, number] }],
            reroutes: [{ id: 'r1', pos: [5, 5] as [number, number], from: link as [string, number] }],
          },
        ],
      },
    };
    const { envelope: unpacked } = unpackSubgraph(drawn, '9')!;
    const inner = unpacked.reroutes.find((reroute) => reroute.id !== 'r1')!;
    expect(inner.id).toMatch(/^r1-9-/);
    expect(unpacked.prompt[targetId]!._meta?.via).toEqual({ [inputName]: inner.id });
    expect(inner.from).toEqual(link);
    const group = unpacked.groups.find((candidate) => candidate.title === 'Inside')!;
    // Moved by the same offset as the reroute.
    expect(group.bounding[0] - 0).toBe(inner.pos[0] - 5);
    expect(group.bounding[1] - 0).toBe(inner.pos[1] - 5);
  });

  it('gives unpacked nodes new ids where theirs are taken', () => {
    const converted = convert(envelope(base), ['2', '3'])!.envelope;
    converted.prompt['2'] = { class_type: 'ImageInvert', inputs: { image: ['1', 0] } };
    const { envelope: unpacked, nodeIds } = unpackSubgraph(converted, '9')!;
    expect(nodeIds).toEqual(['10', '3']);
    expect(unpacked.prompt['3']!.inputs.image).toEqual(['10', 0]);
  });

  it('reorders inputs and outputs without rewiring anything', () => {
    const prompt = structuredClone(base);
    prompt['6'] = { class_type: 'ImageInvert', inputs: { image: ['1', 0] } };
    prompt['7'] = { class_type: 'ImageInvert', inputs: { image: ['6', 0] } };
    const converted = convert(envelope(prompt), ['2', '7'])!.envelope;
    const swapped = reorderSubgraphSlot(converted, 'sub-a', 'inputs', 1, 0);
    const definition = swapped.definitions!.subgraphs[0]!;
    expect(definition.inputs.map((input) => input.name)).toEqual(['image_1', 'image']);
    expect(definition.nodes['7']!.inputs.image).toEqual(['-10', 0]);
    expect(definition.nodes['2']!.inputs.image).toEqual(['-10', 1]);
    const before = compileWorkflow(converted, objectInfo);
    expect(compileWorkflow(swapped, objectInfo)).toEqual(before);
    const two = convert(envelope(base), ['2', '3'])!.envelope;
    const outputs = reorderSubgraphSlot(two, 'sub-a', 'outputs', 0, 1);
    expect(outputs.definitions!.subgraphs[0]!.outputs.map((output) => output.name)).toEqual(['IMAGE_1', 'IMAGE']);
    expect(outputs.prompt['5']!.inputs.images).toEqual(['9', 1]);
    expect(outputs.prompt['4']!.inputs.images).toEqual(['9', 0]);
    expect(compileWorkflow(outputs, objectInfo)).toEqual(compileWorkflow(two, objectInfo));
  });

  it('renames an input on every instance', () => {
    const converted = convert(envelope(base), ['2', '3'])!.envelope;
    const renamed = renameSubgraphSlot(converted, 'sub-a', 'inputs', 0, 'picture');
    expect(renamed.definitions!.subgraphs[0]!.inputs[0]!.name).toBe('picture');
    expect(renamed.prompt['9']!.inputs).toEqual({ picture: ['1', 0] });
    expect(compileWorkflow(renamed, objectInfo)).toEqual(compileWorkflow(converted, objectInfo));
  });

  it('lists each definition as a node type under Subgraphs', () => {
    const { definition } = convert(envelope(base), ['2', '3'])!;
    const info = withSubgraphTypes(objectInfo, [definition])['sub-a']!;
    expect(info).toMatchObject({
      display_name: 'New Subgraph',
      category: 'Subgraphs',
      input_order: { required: ['image'] },
      output: ['IMAGE', 'IMAGE'],
      output_name: ['IMAGE', 'IMAGE_1'],
    });
  });

  it('refuses a document whose subgraphs clash, with a reason', () => {
    const converted = convert(envelope(base), ['2', '3'])!.envelope;
    const twice = {
      ...converted,
      definitions: { subgraphs: [...converted.definitions!.subgraphs, ...converted.definitions!.subgraphs] },
    };
    const parsed = parseWorkflowDocument(twice);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain('two subgraphs have the id "sub-a"');
    // An old document without definitions still reads.
    expect(parseWorkflowDocument(envelope(base)).ok).toBe(true);
  });
});
