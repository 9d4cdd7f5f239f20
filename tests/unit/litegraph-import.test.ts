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
});
