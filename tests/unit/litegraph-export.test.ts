import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { toLitegraph } from '../../shared/litegraph-export.js';
import { parseWorkflowDocument } from '../../shared/workflow.js';

const objectInfo = buildObjectInfo(createRegistry(), {
  inputDir: '/none',
  outputDir: '/none',
  tempDir: '/none',
  modelsDir: '/none',
});

describe('toLitegraph (ComfyUI UI format for the workflow chunk)', () => {
  it('writes the default text-to-image workflow as ComfyUI lays out its default graph', () => {
    const document = parseWorkflowDocument(
      JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '..', 'workflows', 'text-to-image.json'), 'utf8')),
    );
    if (!document.ok) throw new Error(document.reason);
    const graph = toLitegraph(document.value.envelope, objectInfo) as {
      nodes: Record<string, unknown>[];
      links: unknown[][];
      version: number;
      last_link_id: number;
    };
    expect(graph.version).toBe(0.4);
    const sampler = graph.nodes.find((node) => node.type === 'KSampler')!;
    // ComfyUI's KSampler widgets_values: [seed, control, steps, cfg, sampler_name, scheduler, denoise].
    expect(sampler.widgets_values).toEqual([42, 'randomize', 20, 5, 'euler', 'normal', 1]);
    expect((sampler.inputs as { name: string; link: number }[]).map((input) => input.name)).toEqual([
      'model',
      'positive',
      'negative',
      'latent_image',
    ]);
    expect(graph.links).toContainEqual([expect.any(Number), 4, 0, 3, 0, 'MODEL']);
    const checkpoint = graph.nodes.find((node) => node.type === 'CheckpointLoaderSimple')!;
    expect((checkpoint.outputs as { links: number[] }[])[1]!.links).toHaveLength(2);
    expect(graph.last_link_id).toBe(graph.links.length);
  });

  it('marks a widget fed by a wire as a widget input', () => {
    const document = parseWorkflowDocument({
      '1': { class_type: 'PrimitiveStringMultiline', inputs: { value: 'x' } },
      '2': { class_type: 'LoadImage', inputs: { image: 'a.png' } },
      '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: ['1', 0] } },
    });
    if (!document.ok) throw new Error(document.reason);
    const save = (toLitegraph(document.value.envelope, objectInfo) as { nodes: Record<string, unknown>[] }).nodes.find(
      (node) => node.type === 'SaveImage',
    )!;
    expect(save.inputs).toEqual([
      { name: 'images', type: 'IMAGE', link: 1 },
      { name: 'filename_prefix', type: 'STRING', link: 2, widget: { name: 'filename_prefix' } },
    ]);
  });
});
