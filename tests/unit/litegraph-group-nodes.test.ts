import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { fromLitegraph } from '../../shared/litegraph-import.js';
import { parseWorkflowDocument } from '../../shared/workflow.js';

const objectInfo = buildObjectInfo(createRegistry(), {
  inputDir: '/none',
  outputDir: '/none',
  tempDir: '/none',
  modelsDir: '/none',
});

/**
 * A legacy group node as ComfyUI's frontend (groupNode.ts) stores it: inner nodes serialised by the vintage clipboard,
 * links by inner index `[origin, slot, target, slot, origin id, type]`, `external` the outputs used outside.
 *   0 PrimitiveNode "Size" → 1.width (a converted widget), 1 EmptyLatentImage → 2 LatentUpscaleBy (used outside),
 *   3 LatentFlip with its samples unlinked (so a group input).
 * The group's widgets, in the frontend's order: "Size value" (+ control), height, batch_size, upscale_method,
 * scale_by, flip_method; its outputs: 2's LATENT (external), 3's LATENT (unlinked); its one input: 3's samples.
 */
const groupNodes = {
  'Latent pair': {
    nodes: [
      {
        id: 20,
        type: 'PrimitiveNode',
        title: 'Size',
        pos: [1000, 1000],
        mode: 0,
        outputs: [{ name: 'INT', type: 'INT', widget: { name: 'width' }, links: [] }],
        widgets_values: [512, 'fixed'],
        index: 0,
      },
      {
        id: 21,
        type: 'EmptyLatentImage',
        pos: [1200, 1000],
        mode: 0,
        inputs: [{ name: 'width', type: 'INT', widget: { name: 'width' }, link: 41 }],
        outputs: [{ name: 'LATENT', type: 'LATENT', links: [] }],
        widgets_values: [512, 512, 1],
        index: 1,
      },
      {
        id: 22,
        type: 'LatentUpscaleBy',
        pos: [1500, 1100],
        mode: 0,
        inputs: [{ name: 'samples', type: 'LATENT', link: 42 }],
        outputs: [{ name: 'LATENT', type: 'LATENT', links: [] }],
        widgets_values: ['nearest-exact', 1.5],
        index: 2,
      },
      {
        id: 23,
        type: 'LatentFlip',
        pos: [1500, 1300],
        mode: 0,
        inputs: [{ name: 'samples', type: 'LATENT', link: null }],
        outputs: [{ name: 'LATENT', type: 'LATENT', links: [] }],
        widgets_values: ['x-axis: vertically'],
        index: 3,
      },
    ],
    links: [
      [0, 0, 1, 0, 20, 'INT'],
      [1, 0, 2, 0, 21, 'LATENT'],
    ],
    external: [[2, 0, 'LATENT']],
  },
};

function workflow(instance: Record<string, unknown> = {}, groups: unknown = groupNodes) {
  return {
    last_node_id: 8,
    last_link_id: 3,
    nodes: [
      {
        id: 6,
        type: 'EmptyLatentImage',
        pos: [0, 0],
        mode: 0,
        outputs: [{ name: 'LATENT', type: 'LATENT', links: [1] }],
        widgets_values: [64, 64, 1],
      },
      {
        id: 5,
        type: 'workflow>Latent pair',
        pos: [100, 200],
        mode: 0,
        inputs: [{ name: 'samples', type: 'LATENT', link: 1 }],
        outputs: [
          { name: 'LATENT', type: 'LATENT', links: [2] },
          { name: 'LATENT', type: 'LATENT', links: [3] },
        ],
        widgets_values: [768, 'fixed', 640, 2, 'bilinear', 2.5, 'y-axis: horizontally'],
        ...instance,
      },
      {
        id: 7,
        type: 'LatentFlip',
        pos: [600, 0],
        mode: 0,
        inputs: [{ name: 'samples', type: 'LATENT', link: 2 }],
        widgets_values: ['x-axis: vertically'],
      },
      {
        id: 8,
        type: 'LatentFlip',
        pos: [600, 300],
        mode: 0,
        inputs: [{ name: 'samples', type: 'LATENT', link: 3 }],
        widgets_values: ['x-axis: vertically'],
      },
    ],
    links: [
      [1, 6, 0, 5, 0, 'LATENT'],
      [2, 5, 0, 7, 0, 'LATENT'],
      [3, 5, 1, 8, 0, 'LATENT'],
    ],
    groups: [],
    extra: { groupNodes: groups },
    version: 0.4,
  };
}

describe('legacy group nodes (extra.groupNodes)', () => {
  it('flatten into their inner nodes, ids <group id>:<index>, with the instance widget values and links', () => {
    const result = fromLitegraph(workflow(), objectInfo);
    if (!result.ok) throw new Error(result.reason);
    const { prompt } = result.value;
    expect(Object.keys(prompt).sort()).toEqual(['5:1', '5:2', '5:3', '6', '7', '8']);
    expect(prompt['5:1']).toMatchObject({
      class_type: 'EmptyLatentImage',
      // width from the group's "Size value" widget through the inner PrimitiveNode.
      inputs: { width: 768, height: 640, batch_size: 2 },
    });
    expect(prompt['5:2']!.inputs).toEqual({ samples: ['5:1', 0], upscale_method: 'bilinear', scale_by: 2.5 });
    // The group's input reaches the inner node whose slot it stands for.
    expect(prompt['5:3']!.inputs).toEqual({ samples: ['6', 0], flip_method: 'y-axis: horizontally' });
    // Each group output is the inner output it stands for.
    expect(prompt['7']!.inputs.samples).toEqual(['5:2', 0]);
    expect(prompt['8']!.inputs.samples).toEqual(['5:3', 0]);
    // Inner nodes keep their layout, moved so its top left corner is the instance's position.
    expect(prompt['5:1']!._meta?.pos).toEqual([300, 200]);
    expect(prompt['5:3']!._meta?.pos).toEqual([600, 500]);
    expect(parseWorkflowDocument(result.value).ok).toBe(true);
  });

  it('read the older "workflow/Name" type the same way', () => {
    const result = fromLitegraph(workflow({ type: 'workflow/Latent pair' }), objectInfo);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.prompt['5:2']!.inputs.scale_by).toBe(2.5);
  });

  it("keep an inner node's own values where the instance gives none", () => {
    const result = fromLitegraph(workflow({ widgets_values: [768, 'fixed', 640] }), objectInfo);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.prompt['5:1']!.inputs).toEqual({ width: 768, height: 640, batch_size: 1 });
    expect(result.value.prompt['5:2']!.inputs.upscale_method).toBe('nearest-exact');
  });

  it('mute their inner nodes when the instance is muted, and refuse a bypassed instance by name', () => {
    const muted = fromLitegraph(workflow({ mode: 2 }), objectInfo);
    if (!muted.ok) throw new Error(muted.reason);
    expect(muted.value.prompt['5:2']!._meta?.mode).toBe(2);
    expect(fromLitegraph(workflow({ mode: 4 }), objectInfo)).toEqual({
      ok: false,
      reason: 'this workflow cannot be read: the group node 5 (workflow>Latent pair) is bypassed',
    });
  });

  it('holding node types Inkgraph lacks are named with those types (and kept as missing in the editor)', () => {
    const broken = structuredClone(groupNodes);
    broken['Latent pair'].nodes[3]!.type = 'FancyFlip';
    expect(fromLitegraph(workflow({}, broken), objectInfo)).toEqual({
      ok: false,
      reason:
        'this workflow uses legacy group nodes holding node types Inkgraph does not have: ' +
        'workflow>Latent pair (FancyFlip)',
    });
    const kept = fromLitegraph(workflow({}, broken), objectInfo, { keepMissing: true });
    if (!kept.ok) throw new Error(kept.reason);
    expect(kept.value.prompt['5']!.class_type).toBe('workflow>Latent pair');
  });

  it("take a seed's control value and a titled primitive's name from the frontend's widget order", () => {
    // One KSampler whose sockets are the group's inputs; its widgets: seed (+ control), steps, cfg, sampler_name,
    // scheduler, denoise; a FLOAT primitive "Strength" feeding a second node's converted scale_by (+ control).
    const sampler = {
      'One sampler': {
        nodes: [
          {
            id: 1,
            type: 'KSampler',
            pos: [0, 0],
            inputs: [
              { name: 'model', type: 'MODEL', link: null },
              { name: 'positive', type: 'CONDITIONING', link: null },
              { name: 'negative', type: 'CONDITIONING', link: null },
              { name: 'latent_image', type: 'LATENT', link: null },
            ],
            outputs: [{ name: 'LATENT', type: 'LATENT', links: [] }],
            widgets_values: [1, 'randomize', 20, 8, 'euler', 'normal', 1],
          },
          {
            id: 2,
            type: 'PrimitiveNode',
            title: 'Strength',
            pos: [0, 300],
            outputs: [{ name: 'FLOAT', type: 'FLOAT', widget: { name: 'scale_by' }, links: [] }],
            widgets_values: [1.5, 'fixed'],
          },
          {
            id: 3,
            type: 'LatentUpscaleBy',
            pos: [300, 0],
            inputs: [
              { name: 'samples', type: 'LATENT', link: null },
              { name: 'scale_by', type: 'FLOAT', widget: { name: 'scale_by' }, link: null },
            ],
            outputs: [{ name: 'LATENT', type: 'LATENT', links: [] }],
            widgets_values: ['nearest-exact', 1.5],
          },
        ],
        links: [
          [0, 0, 2, 0, 1, 'LATENT'],
          [1, 0, 2, 1, 2, 'FLOAT'],
        ],
        external: [],
      },
    };
    const result = fromLitegraph(
      {
        nodes: [
          { id: 4, type: 'EmptyLatentImage', pos: [0, 0], outputs: [{ links: [1] }], widgets_values: [64, 64, 1] },
          {
            id: 9,
            type: 'workflow>One sampler',
            pos: [0, 0],
            // The latent socket named as the group names it; the others unlinked.
            inputs: [
              { name: 'model', type: 'MODEL', link: null },
              { name: 'positive', type: 'CONDITIONING', link: null },
              { name: 'negative', type: 'CONDITIONING', link: null },
              { name: 'latent_image', type: 'LATENT', link: 1 },
            ],
            outputs: [{ links: [] }],
            widgets_values: [777, 'fixed', 4, 6.5, 'ddim', 'karras', 0.4, 3.25, 'fixed', 'bicubic'],
          },
        ],
        links: [[1, 4, 0, 9, 3, 'LATENT']],
        extra: { groupNodes: sampler },
        version: 0.4,
      },
      objectInfo,
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.prompt['9:0']!.inputs).toEqual({
      latent_image: ['4', 0],
      seed: 777,
      steps: 4,
      cfg: 6.5,
      sampler_name: 'ddim',
      scheduler: 'karras',
      denoise: 0.4,
    });
    expect(result.value.prompt['9:2']!.inputs).toEqual({
      samples: ['9:0', 0],
      upscale_method: 'bicubic',
      scale_by: 3.25,
    });
  });
});
