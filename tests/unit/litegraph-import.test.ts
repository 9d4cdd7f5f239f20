import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
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

describe('fromLitegraph (ComfyUI UI-format workflows)', () => {
  it("round-trips the default workflow through ComfyUI's format", () => {
    const document = parseWorkflowDocument(
      JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '..', 'workflows', 'text-to-image.json'), 'utf8')),
    );
    if (!document.ok) throw new Error(document.reason);
    const back = fromLitegraph(toLitegraph(document.value.envelope, objectInfo), objectInfo);
    if (!back.ok) throw new Error(back.reason);
    for (const [id, node] of Object.entries(document.value.envelope.prompt)) {
      expect(back.value.prompt[id]!.inputs, id).toEqual(node.inputs);
      expect(back.value.prompt[id]!._meta?.pos, id).toEqual(node._meta?.pos);
    }
  });

  it("reads ComfyUI's own conventions: seed control, upload widget, Reroute nodes, bypass", () => {
    const workflow = {
      last_node_id: 4,
      last_link_id: 3,
      nodes: [
        {
          id: 1,
          type: 'LoadImage',
          pos: [0, 0],
          size: [300, 300],
          mode: 0,
          inputs: [],
          outputs: [],
          widgets_values: ['example.png', 'image'],
        },
        { id: 2, type: 'Reroute', pos: [320, 0], inputs: [{ name: '', type: '*', link: 1 }], outputs: [] },
        {
          id: 3,
          type: 'ImageInvert',
          pos: [400, 0],
          mode: 4,
          inputs: [{ name: 'image', type: 'IMAGE', link: 2 }],
          outputs: [],
        },
        {
          id: 4,
          type: 'SaveImage',
          pos: [700, 0],
          inputs: [{ name: 'images', type: 'IMAGE', link: 3 }],
          outputs: [],
          widgets_values: ['ComfyUI'],
        },
      ],
      links: [
        [1, 1, 0, 2, 0, 'IMAGE'],
        [2, 2, 0, 3, 0, 'IMAGE'],
        [3, 3, 0, 4, 0, 'IMAGE'],
      ],
      groups: [{ title: 'Everything', bounding: [0, 0, 900, 400] }],
      version: 0.4,
    };
    const result = fromLitegraph(workflow, objectInfo);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.prompt['1']!.inputs).toEqual({ image: 'example.png' });
    expect(result.value.prompt['3']!.inputs).toEqual({ image: ['1', 0] });
    expect(result.value.prompt['3']!._meta?.mode).toBe(4);
    expect(result.value.prompt['4']!.inputs).toEqual({ images: ['3', 0], filename_prefix: 'ComfyUI' });
    expect(result.value.groups[0]!.title).toBe('Everything');
  });

  it('names the node types it does not have', () => {
    const result = fromLitegraph({ nodes: [{ id: 1, type: 'FancyCustomNode' }], links: [] }, objectInfo);
    expect(result).toEqual({
      ok: false,
      reason: 'this workflow uses node types Inkgraph does not have: FancyCustomNode',
    });
  });

  // Shaped as ComfyUI's frontend (0.4 format) saves a graph where one PrimitiveNode drives two widgets.
  it('folds a PrimitiveNode into every widget it feeds, through a Reroute, and never sends it', () => {
    const workflow = {
      last_node_id: 5,
      last_link_id: 3,
      nodes: [
        {
          id: 1,
          type: 'PrimitiveNode',
          pos: [0, 0],
          size: [210, 82],
          flags: {},
          order: 0,
          mode: 0,
          inputs: [],
          outputs: [{ name: 'INT', type: 'INT', links: [1, 2], widget: { name: 'width' }, slot_index: 0 }],
          title: 'size',
          properties: { 'Run widget replace on values': false },
          widgets_values: [768, 'fixed'],
        },
        {
          id: 2,
          type: 'EmptyLatentImage',
          pos: [300, 0],
          size: [315, 106],
          flags: {},
          order: 2,
          mode: 0,
          inputs: [{ name: 'width', type: 'INT', link: 1, widget: { name: 'width' } }],
          outputs: [{ name: 'LATENT', type: 'LATENT', links: null, slot_index: 0 }],
          properties: { 'Node name for S&R': 'EmptyLatentImage' },
          widgets_values: [512, 640, 1],
        },
        {
          id: 3,
          type: 'Reroute',
          pos: [200, 200],
          size: [75, 26],
          flags: {},
          order: 1,
          mode: 0,
          inputs: [{ name: '', type: '*', link: 2 }],
          outputs: [{ name: '', type: 'INT', links: [3], slot_index: 0 }],
          properties: { showOutputText: false, horizontal: false },
        },
        {
          id: 4,
          type: 'EmptyLatentImage',
          pos: [300, 200],
          size: [315, 106],
          flags: {},
          order: 3,
          mode: 0,
          inputs: [{ name: 'height', type: 'INT', link: 3, widget: { name: 'height' } }],
          outputs: [{ name: 'LATENT', type: 'LATENT', links: null, slot_index: 0 }],
          properties: { 'Node name for S&R': 'EmptyLatentImage' },
          widgets_values: [512, 512, 2],
        },
        {
          id: 5,
          type: 'MarkdownNote',
          pos: [0, 400],
          size: [300, 100],
          flags: {},
          order: 4,
          mode: 0,
          inputs: [],
          outputs: [],
          properties: {},
          widgets_values: ['# read me'],
        },
        {
          id: 6,
          type: 'Note',
          pos: [0, 600],
          size: [300, 100],
          flags: {},
          order: 5,
          mode: 0,
          inputs: [],
          outputs: [],
          properties: {},
          widgets_values: ['a note'],
        },
      ],
      links: [
        [1, 1, 0, 2, 0, 'INT'],
        [2, 1, 0, 3, 0, '*'],
        [3, 3, 0, 4, 0, 'INT'],
      ],
      groups: [],
      config: {},
      extra: { ds: { scale: 1, offset: [0, 0] } },
      version: 0.4,
    };
    const result = fromLitegraph(workflow, objectInfo);
    if (!result.ok) throw new Error(result.reason);
    expect(Object.keys(result.value.prompt).sort()).toEqual(['2', '4']);
    expect(result.value.prompt['2']!.inputs).toEqual({ width: 768, height: 640, batch_size: 1 });
    expect(result.value.prompt['4']!.inputs).toEqual({ width: 512, height: 768, batch_size: 2 });
  });

  it('fills widgets whose widgets_values are missing or short with the input defaults, past the seed control', () => {
    const workflow = {
      last_node_id: 2,
      last_link_id: 0,
      nodes: [
        {
          id: 1,
          type: 'KSampler',
          pos: [0, 0],
          size: [315, 262],
          flags: {},
          order: 0,
          mode: 0,
          inputs: [
            { name: 'model', type: 'MODEL', link: null },
            { name: 'positive', type: 'CONDITIONING', link: null },
            { name: 'negative', type: 'CONDITIONING', link: null },
            { name: 'latent_image', type: 'LATENT', link: null },
          ],
          outputs: [{ name: 'LATENT', type: 'LATENT', links: [], slot_index: 0 }],
          properties: { 'Node name for S&R': 'KSampler' },
          widgets_values: [42, 'randomize', 30],
        },
        {
          id: 2,
          type: 'EmptyLatentImage',
          pos: [0, 300],
          size: [315, 106],
          flags: {},
          order: 1,
          mode: 0,
          inputs: [],
          outputs: [{ name: 'LATENT', type: 'LATENT', links: [], slot_index: 0 }],
          properties: { 'Node name for S&R': 'EmptyLatentImage' },
        },
      ],
      links: [],
      groups: [],
      config: {},
      extra: {},
      version: 0.4,
    };
    const result = fromLitegraph(workflow, objectInfo);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.prompt['1']!.inputs).toEqual({
      seed: 42,
      steps: 30,
      cfg: 8,
      sampler_name: 'euler',
      scheduler: 'simple',
      denoise: 1,
    });
    expect(result.value.prompt['2']!.inputs).toEqual({ width: 512, height: 512, batch_size: 1 });
  });

  it('takes the link of a converted widget instead of its stored value, and keeps muted nodes as muted', () => {
    const workflow = {
      last_node_id: 3,
      last_link_id: 2,
      nodes: [
        {
          id: 1,
          type: 'PrimitiveInt',
          pos: [0, 0],
          size: [270, 82],
          flags: {},
          order: 0,
          mode: 0,
          inputs: [],
          outputs: [{ name: 'INT', type: 'INT', links: [1], slot_index: 0 }],
          properties: { 'Node name for S&R': 'PrimitiveInt' },
          widgets_values: [99, 'fixed'],
        },
        {
          id: 2,
          type: 'KSampler',
          pos: [300, 0],
          size: [315, 262],
          flags: {},
          order: 1,
          mode: 2,
          inputs: [
            { name: 'model', type: 'MODEL', link: null },
            { name: 'positive', type: 'CONDITIONING', link: null },
            { name: 'negative', type: 'CONDITIONING', link: null },
            { name: 'latent_image', type: 'LATENT', link: null },
            { name: 'seed', type: 'INT', link: 1, widget: { name: 'seed' } },
          ],
          outputs: [{ name: 'LATENT', type: 'LATENT', links: [], slot_index: 0 }],
          properties: { 'Node name for S&R': 'KSampler' },
          widgets_values: [5, 'fixed', 20, 7, 'euler', 'karras', 0.5],
        },
      ],
      links: [[1, 1, 0, 2, 4, 'INT']],
      groups: [],
      config: {},
      extra: {},
      version: 0.4,
    };
    const result = fromLitegraph(workflow, objectInfo);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.prompt['2']!.inputs).toEqual({
      seed: ['1', 0],
      steps: 20,
      cfg: 7,
      sampler_name: 'euler',
      scheduler: 'karras',
      denoise: 0.5,
    });
    expect(result.value.prompt['2']!._meta?.mode).toBe(2);
  });

  it('names every missing node type at once', () => {
    const result = fromLitegraph(
      {
        nodes: [
          { id: 1, type: 'FancyCustomNode' },
          { id: 2, type: 'PrimitiveNode', widgets_values: [1] },
          { id: 3, type: 'OtherCustomNode' },
          { id: 4, type: 'FancyCustomNode' },
        ],
        links: [],
      },
      objectInfo,
    );
    expect(result).toEqual({
      ok: false,
      reason: 'this workflow uses node types Inkgraph does not have: FancyCustomNode, OtherCustomNode',
    });
  });

  // Shaped as the current frontend saves a subgraph: a v1 graph in definitions.subgraphs, used twice.
  it('flattens subgraph instances to outer:inner ids, across the boundary, with each instance its own widget value', () => {
    const subgraphId = '5a7d3c1e-8f0b-4b6a-9c2d-1e2f3a4b5c6d';
    const instance = (id: number, input: number, output: number, scale: number | undefined, x: number) => ({
      id,
      type: subgraphId,
      pos: [x, 0],
      size: [220, 80],
      flags: {},
      order: id,
      mode: 0,
      inputs: [
        { name: 'latent', type: 'LATENT', link: input },
        { name: 'scale_by', type: 'FLOAT', widget: { name: 'scale_by' }, link: null },
      ],
      outputs: [{ name: 'LATENT', type: 'LATENT', links: [output] }],
      properties: { proxyWidgets: [['10', 'scale_by']] },
      widgets_values: scale === undefined ? [] : [scale],
    });
    const workflow = {
      id: '0b7e1a34-2b1c-4c5d-8e9f-0a1b2c3d4e5f',
      revision: 0,
      last_node_id: 7,
      last_link_id: 3,
      nodes: [
        {
          id: 1,
          type: 'EmptyLatentImage',
          pos: [0, 0],
          size: [315, 106],
          flags: {},
          order: 0,
          mode: 0,
          inputs: [],
          outputs: [{ name: 'LATENT', type: 'LATENT', links: [1], slot_index: 0 }],
          properties: { 'Node name for S&R': 'EmptyLatentImage' },
          widgets_values: [64, 64, 1],
        },
        instance(5, 1, 2, 2, 400),
        instance(6, 2, 3, undefined, 700),
        {
          id: 7,
          type: 'LatentFlip',
          pos: [1000, 0],
          size: [315, 58],
          flags: {},
          order: 7,
          mode: 0,
          inputs: [{ name: 'samples', type: 'LATENT', link: 3 }],
          outputs: [{ name: 'LATENT', type: 'LATENT', links: null }],
          properties: { 'Node name for S&R': 'LatentFlip' },
          widgets_values: ['x-axis: vertically'],
        },
      ],
      links: [
        [1, 1, 0, 5, 0, 'LATENT'],
        [2, 5, 0, 6, 0, 'LATENT'],
        [3, 6, 0, 7, 0, 'LATENT'],
      ],
      groups: [],
      definitions: {
        subgraphs: [
          {
            id: subgraphId,
            version: 1,
            state: { lastGroupId: 0, lastNodeId: 10, lastLinkId: 3, lastRerouteId: 0 },
            revision: 0,
            config: {},
            name: 'Upscale',
            inputNode: { id: -10, bounding: [0, 0, 120, 80] },
            outputNode: { id: -20, bounding: [600, 0, 120, 60] },
            inputs: [
              { id: 'a1', name: 'latent', type: 'LATENT', linkIds: [1] },
              { id: 'a2', name: 'scale_by', type: 'FLOAT', linkIds: [2] },
            ],
            outputs: [{ id: 'b1', name: 'LATENT', type: 'LATENT', linkIds: [3] }],
            widgets: [],
            nodes: [
              {
                id: 10,
                type: 'LatentUpscaleBy',
                pos: [200, 0],
                size: [315, 82],
                flags: {},
                order: 0,
                mode: 0,
                inputs: [
                  { name: 'samples', type: 'LATENT', link: 1 },
                  { name: 'scale_by', type: 'FLOAT', widget: { name: 'scale_by' }, link: 2 },
                ],
                outputs: [{ name: 'LATENT', type: 'LATENT', links: [3] }],
                properties: { 'Node name for S&R': 'LatentUpscaleBy' },
                widgets_values: ['bilinear', 1.25],
              },
            ],
            groups: [],
            links: [
              { id: 1, origin_id: -10, origin_slot: 0, target_id: 10, target_slot: 0, type: 'LATENT' },
              { id: 2, origin_id: -10, origin_slot: 1, target_id: 10, target_slot: 1, type: 'FLOAT' },
              { id: 3, origin_id: 10, origin_slot: 0, target_id: -20, target_slot: 0, type: 'LATENT' },
            ],
            extra: {},
          },
        ],
      },
      config: {},
      extra: { ds: { scale: 1, offset: [0, 0] }, frontendVersion: '1.28.0' },
      version: 0.4,
    };
    const result = fromLitegraph(workflow, objectInfo);
    if (!result.ok) throw new Error(result.reason);
    expect(Object.keys(result.value.prompt).sort()).toEqual(['1', '5:10', '6:10', '7']);
    expect(result.value.prompt['5:10']!.inputs).toEqual({
      samples: ['1', 0],
      upscale_method: 'bilinear',
      scale_by: 2,
    });
    // Without a value of its own the instance leaves the inner widget's value.
    expect(result.value.prompt['6:10']!.inputs).toEqual({
      samples: ['5:10', 0],
      upscale_method: 'bilinear',
      scale_by: 1.25,
    });
    expect(result.value.prompt['7']!.inputs).toEqual({ samples: ['6:10', 0], flip_method: 'x-axis: vertically' });
    expect(result.value.prompt['5:10']!._meta?.pos).toEqual([600, 0]);
    expect(parseWorkflowDocument(result.value).ok).toBe(true);
  });

  it('refuses a subgraph that contains itself instead of recursing', () => {
    const id = 'c0ffee00-0000-4000-8000-000000000000';
    const node = { id: 1, type: id, pos: [0, 0], mode: 0, inputs: [], outputs: [] };
    const result = fromLitegraph(
      { nodes: [node], links: [], definitions: { subgraphs: [{ id, nodes: [node], links: [] }] }, version: 0.4 },
      objectInfo,
    );
    expect(result).toEqual({
      ok: false,
      reason: `this workflow cannot be read: the subgraph "${id}" contains itself`,
    });
  });

  it('names legacy group nodes apart from missing node types', () => {
    const result = fromLitegraph(
      {
        nodes: [
          { id: 1, type: 'workflow>Sampler pair', pos: [0, 0], mode: 0, inputs: [], outputs: [], widgets_values: [] },
          { id: 2, type: 'FancyCustomNode', pos: [0, 200], mode: 0, inputs: [], outputs: [] },
        ],
        links: [],
        extra: {
          groupNodes: {
            'Sampler pair': {
              nodes: [{ id: 1, type: 'CustomSampler', inputs: [], outputs: [] }],
              links: [],
              external: [],
            },
          },
        },
        version: 0.4,
      },
      objectInfo,
    );
    expect(result).toEqual({
      ok: false,
      reason:
        'this workflow uses node types Inkgraph does not have: FancyCustomNode; this workflow uses legacy group ' +
        'nodes holding node types Inkgraph does not have: workflow>Sampler pair (CustomSampler)',
    });
  });
});
