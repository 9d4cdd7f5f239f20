import { describe, expect, it } from 'vitest';
import { isLink, parseWorkflowDocument, toApiPrompt } from '../../shared/workflow.js';

const bare = {
  '1': { class_type: 'LoadImage', inputs: { image: 'example.png' } },
  '2': {
    class_type: 'SaveImage',
    inputs: { images: ['1', 0], filename_prefix: 'x' },
    _meta: { title: 'Save', pos: [10, 20] },
  },
};

describe('workflow documents', () => {
  it('loads a bare ComfyUI API prompt as it is', () => {
    const result = parseWorkflowDocument(bare);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.wasBare).toBe(true);
    expect(result.value.envelope.prompt['2']!.inputs.images).toEqual(['1', 0]);
    expect(result.value.envelope.groups).toEqual([]);
  });

  it('loads the Inkgraph envelope with groups and viewport', () => {
    const result = parseWorkflowDocument({
      format: 'inkgraph-workflow',
      version: 1,
      prompt: bare,
      groups: [{ title: 'Inputs', bounding: [0, 0, 100, 100] }],
      viewport: { x: 1, y: 2, zoom: 0.5 },
    });
    expect(result.ok && result.value.envelope.groups[0]!.title).toBe('Inputs');
    expect(result.ok && result.value.envelope.viewport?.zoom).toBe(0.5);
    expect(result.ok && result.value.wasBare).toBe(false);
  });

  it('exports the bare prompt without layout, keeping titles', () => {
    const result = parseWorkflowDocument({ prompt: bare });
    if (!result.ok) throw new Error(result.reason);
    const api = toApiPrompt(result.value.envelope);
    expect(api['2']).toEqual({
      class_type: 'SaveImage',
      inputs: { images: ['1', 0], filename_prefix: 'x' },
      _meta: { title: 'Save' },
    });
    expect(api['1']).toEqual({ class_type: 'LoadImage', inputs: { image: 'example.png' } });
  });

  it('refuses a litegraph UI workflow with a reason that says what to do', () => {
    const result = parseWorkflowDocument({ nodes: [], links: [], version: 0.4 });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/UI-format/);
  });

  it('names the field that is wrong', () => {
    const result = parseWorkflowDocument({ '1': { inputs: {} } });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/1\.class_type/);
    expect(parseWorkflowDocument([1, 2]).ok).toBe(false);
    expect(parseWorkflowDocument(null).ok).toBe(false);
  });

  it('recognises links', () => {
    expect(isLink(['3', 0])).toBe(true);
    expect(isLink([3, 1])).toBe(true);
    expect(isLink(['3', 0, 1])).toBe(false);
    expect(isLink('3')).toBe(false);
  });
});
