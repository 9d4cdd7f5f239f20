import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { toLitegraph } from '../../shared/litegraph-export.js';
import { fromLitegraph } from '../../shared/litegraph-import.js';
import { compileWorkflow } from '../../shared/workflow-compile.js';
import { parseWorkflowDocument, type WorkflowEnvelope } from '../../shared/workflow.js';

const env = { inputDir: '/nonexistent', outputDir: '/nonexistent', tempDir: '/nonexistent', modelsDir: '/nonexistent' };
const objectInfo = buildObjectInfo(createRegistry(), env);
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, '..', 'fixtures', 'comfy-subgraphs', name), 'utf8'));

function imported(json: unknown, keepSubgraphs: boolean): WorkflowEnvelope {
  const result = fromLitegraph(json, objectInfo, { keepSubgraphs });
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

const BASIC = 'e5fb1765-9323-4548-801a-5aead34d879e';
const PREVIEW = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';

describe("ComfyUI's definitions.subgraphs", () => {
  it('keeps a frontend-made subgraph as a definition and its instance as a node', () => {
    const document = imported(fixture('basic-subgraph-zero-uuid.json'), true);
    expect(document.prompt['2']).toMatchObject({ class_type: BASIC, inputs: {}, _meta: { title: 'New Subgraph' } });
    const [definition] = document.definitions!.subgraphs;
    expect(definition).toMatchObject({
      id: BASIC,
      name: 'New Subgraph',
      inputs: [{ id: 'c5cc99d8-a2b6-4bf3-8be7-d4949ef736cd', name: 'positive', type: 'CONDITIONING' }],
      outputs: [{ id: '9bd488b9-e907-4c95-a7a4-85c5597a87af', name: 'LATENT', type: 'LATENT', link: ['1', 0] }],
      inputPos: [347.90441582814213, 417.3822440655296],
    });
    expect(definition!.nodes['1']!.inputs).toMatchObject({ positive: ['-10', 0], seed: 0, steps: 20, cfg: 8 });
    expect(definition!.nodes['2']!.class_type).toBe('VAEEncode');
    expect(parseWorkflowDocument(document).ok).toBe(true);
  });

  it('queues the kept subgraph exactly as the expanded import reads it', () => {
    for (const name of ['basic-subgraph-zero-uuid.json', 'subgraph-with-preview-node.json']) {
      const kept = compileWorkflow(imported(fixture(name), true), objectInfo);
      const expanded = compileWorkflow(imported(fixture(name), false), objectInfo);
      expect(kept).toEqual(expanded);
    }
    const prompt = compileWorkflow(imported(fixture('subgraph-with-preview-node.json'), true), objectInfo);
    expect(prompt['5:10']).toMatchObject({ class_type: 'SaveImage', inputs: { images: ['11', 0] } });
  });

  it('exports definitions.subgraphs as the frontend writes them, and reads its own export back', () => {
    const document = imported(fixture('subgraph-with-preview-node.json'), true);
    const exported = toLitegraph(document, objectInfo) as {
      nodes: { id: number; type: string; inputs: { name: string; type: string; link: number | null }[] }[];
      links: unknown[][];
      definitions: { subgraphs: Record<string, unknown>[] };
    };
    const instance = exported.nodes.find((node) => node.type === PREVIEW)!;
    expect(instance.inputs).toEqual([{ name: 'images', type: 'IMAGE', link: 1 }]);
    expect(exported.links).toEqual([[1, 11, 0, 5, 0, 'IMAGE']]);
    const [definition] = exported.definitions.subgraphs;
    expect(definition).toMatchObject({
      id: PREVIEW,
      version: 1,
      name: 'New Subgraph',
      inputNode: { id: -10, bounding: [300, 350, 120, 60] },
      outputNode: { id: -20 },
      inputs: [{ id: 'img-slot-001', name: 'images', type: 'IMAGE', linkIds: [1] }],
      outputs: [],
      links: [{ id: 1, origin_id: -10, origin_slot: 0, target_id: 10, target_slot: 0, type: 'IMAGE' }],
    });
    expect(definition!.nodes).toMatchObject([{ id: 10, type: 'SaveImage', widgets_values: ['ComfyUI'] }]);
    const again = imported(exported, true);
    expect(again.definitions).toEqual(document.definitions);
    expect(compileWorkflow(again, objectInfo)).toEqual(compileWorkflow(document, objectInfo));
  });

  it('writes the groups drawn inside a subgraph into its definition and reads them back', () => {
    const document = imported(fixture('basic-subgraph-zero-uuid.json'), true);
    const [definition] = document.definitions!.subgraphs;
    const framed: WorkflowEnvelope = {
      ...document,
      definitions: { subgraphs: [{ ...definition!, groups: [{ title: 'Sampling', bounding: [10, 20, 300, 200] }] }] },
    };
    const exported = toLitegraph(framed, objectInfo) as { definitions: { subgraphs: { groups: unknown[] }[] } };
    expect(exported.definitions.subgraphs[0]!.groups).toEqual([{ title: 'Sampling', bounding: [10, 20, 300, 200] }]);
    expect(imported(exported, true).definitions!.subgraphs[0]!.groups).toEqual([
      { title: 'Sampling', bounding: [10, 20, 300, 200] },
    ]);
  });

  it('exports links to the output node and reads them back', () => {
    const document = imported(fixture('basic-subgraph-zero-uuid.json'), true);
    const exported = toLitegraph(document, objectInfo) as { definitions: { subgraphs: { links: unknown[] }[] } };
    expect(exported.definitions.subgraphs[0]!.links).toContainEqual({
      id: 2,
      origin_id: 1,
      origin_slot: 0,
      target_id: -20,
      target_slot: 0,
      type: 'LATENT',
    });
    expect(imported(exported, true).definitions).toEqual(document.definitions);
  });
});
