import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { compileWorkflow } from '../../shared/workflow-compile.js';
import type { WorkflowEnvelope } from '../../shared/workflow.js';

const env = { inputDir: '/nonexistent', outputDir: '/nonexistent', tempDir: '/nonexistent', modelsDir: '/nonexistent' };
const objectInfo = buildObjectInfo(createRegistry(), env);

function envelope(prompt: WorkflowEnvelope['prompt']): WorkflowEnvelope {
  return { version: 1, prompt, groups: [], reroutes: [] };
}

describe('compileWorkflow', () => {
  const base = {
    '1': {
      class_type: 'LoadImage',
      inputs: { image: 'a.png' },
      _meta: { title: 'Load', pos: [0, 0] as [number, number] },
    },
    '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] }, _meta: { title: 'Invert' } },
    '3': {
      class_type: 'ImageScale',
      inputs: { image: ['2', 0], upscale_method: 'area', width: 8, height: 8, crop: 'disabled' },
    },
    '4': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'x' } },
  };

  it('keeps an ordinary workflow as it is, with only titles left of the layout', () => {
    const prompt = compileWorkflow(envelope(base), objectInfo);
    expect(prompt['1']).toEqual({ class_type: 'LoadImage', inputs: { image: 'a.png' }, _meta: { title: 'Load' } });
    expect(prompt['4']!.inputs.images).toEqual(['3', 0]);
  });

  it("passes a bypassed node's matching input through, also across chains of bypassed nodes", () => {
    const bypassed = structuredClone(base);
    (bypassed['2']._meta as Record<string, unknown>).mode = 4;
    let prompt = compileWorkflow(envelope(bypassed), objectInfo);
    expect(prompt['2']).toBeUndefined();
    expect(prompt['3']!.inputs.image).toEqual(['1', 0]);
    (bypassed['3'] as { _meta?: Record<string, unknown> })._meta = { mode: 4 };
    prompt = compileWorkflow(envelope(bypassed), objectInfo);
    expect(prompt['4']!.inputs.images).toEqual(['1', 0]);
  });

  it('drops a muted node and the links to it', () => {
    const muted = structuredClone(base);
    (muted['2']._meta as Record<string, unknown>).mode = 2;
    const prompt = compileWorkflow(envelope(muted), objectInfo);
    expect(prompt['2']).toBeUndefined();
    expect(prompt['3']!.inputs.image).toBeUndefined();
  });

  it("drops a bypassed node's output when no input matches its type", () => {
    const loader = structuredClone(base);
    (loader['1']._meta as Record<string, unknown>).mode = 4;
    const prompt = compileWorkflow(envelope(loader), objectInfo);
    expect(prompt['2']!.inputs.image).toBeUndefined();
  });
});
