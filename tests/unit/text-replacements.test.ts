import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import {
  applyFilenameReplacements,
  applyTextReplacements,
  formatDate,
  type ReplacementNode,
} from '../../shared/text-replacements.js';
import { compileWorkflow } from '../../shared/workflow-compile.js';

// Local time, as the frontend formats: 5 March 2024, 07:08:09.
const now = new Date(2024, 2, 5, 7, 8, 9);

const nodes: ReplacementNode[] = [
  { classType: 'KSampler', title: 'Sampler A', widgets: { seed: 42, sampler_name: 'euler' } },
  { classType: 'KSampler', title: 'Sampler B', widgets: { seed: 7 } },
  { classType: 'CheckpointLoaderSimple', title: 'My Model', widgets: { ckpt_name: 'sd/v1-5.safetensors' } },
  { classType: 'CLIPTextEncode', title: 'KSampler', widgets: { text: 'by title' } },
];

describe('formatDate (the frontend tokens)', () => {
  it('pads doubled tokens and leaves single ones bare', () => {
    expect(formatDate('yyyy-MM-dd', now)).toBe('2024-03-05');
    expect(formatDate('d.M.yy', now)).toBe('5.3.24');
    expect(formatDate('hh:mm:ss', now)).toBe('07:08:09');
    expect(formatDate('h-m-s', now)).toBe('7-8-9');
  });

  it('keeps what is no token (yyy, letters)', () => {
    expect(formatDate('yyy', now)).toBe('yyy');
    expect(formatDate('y', now)).toBe('y');
    expect(formatDate('x_yyyy', now)).toBe('x_2024');
  });

  it('shows hours 0–23', () => {
    expect(formatDate('hh', new Date(2024, 0, 1, 23, 0, 0))).toBe('23');
  });
});

describe('applyTextReplacements', () => {
  it('names a node by type first, the first of several', () => {
    expect(applyTextReplacements('img_%KSampler.seed%', nodes, now)).toBe('img_42');
  });

  it('names a node by title when no type matches', () => {
    expect(applyTextReplacements('%Sampler B.seed%', nodes, now)).toBe('7');
    expect(applyTextReplacements('%My Model.ckpt_name%', nodes, now)).toBe('sd_v1-5.safetensors');
  });

  it('turns characters a file name cannot hold into _', () => {
    const odd: ReplacementNode[] = [{ classType: 'X', title: undefined, widgets: { v: 'a:b*c?"d<e>|f\\g\u0001' } }];
    expect(applyTextReplacements('%X.v%', odd, now)).toBe('a_b_c__d_e__f_g_');
  });

  it('expands dates and several patterns in one value', () => {
    expect(applyTextReplacements('%date:yyyy-MM-dd%/%KSampler.sampler_name%_%date:hhmmss%', nodes, now)).toBe(
      '2024-03-05/euler_070809',
    );
  });

  it('leaves unknown nodes, unknown widgets, %width% and %height% as written', () => {
    expect(applyTextReplacements('%Nope.seed%', nodes, now)).toBe('%Nope.seed%');
    expect(applyTextReplacements('%KSampler.cfg%', nodes, now)).toBe('%KSampler.cfg%');
    expect(applyTextReplacements('%width%x%height%', nodes, now)).toBe('%width%x%height%');
    expect(applyTextReplacements('%a.b.c%', nodes, now)).toBe('%a.b.c%');
  });
});

describe('applyFilenameReplacements', () => {
  it("expands only save nodes' filename_prefix", () => {
    const prompt = applyFilenameReplacements(
      {
        '1': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'out_%KSampler.seed%' } },
        '2': { class_type: 'CLIPTextEncode', inputs: { text: '%KSampler.seed%' } },
      },
      nodes,
      now,
    );
    expect(prompt['1']!.inputs).toEqual({ images: ['2', 0], filename_prefix: 'out_42' });
    expect(prompt['2']!.inputs.text).toBe('%KSampler.seed%');
  });
});

describe('compileWorkflow expands filename patterns', () => {
  const env = { inputDir: '/n', outputDir: '/n', tempDir: '/n', modelsDir: '/n' };
  const objectInfo = buildObjectInfo(createRegistry(), env);

  it('against every node of the document, by type or by title (the default title is the display name)', () => {
    const prompt = compileWorkflow(
      {
        version: 1,
        groups: [],
        reroutes: [],
        prompt: {
          '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 32, batch_size: 1, color: 0 } },
          '2': {
            class_type: 'ImageInvert',
            inputs: { image: ['1', 0] },
            _meta: { title: 'Flip', mode: 2 },
          },
          '3': {
            class_type: 'SaveImage',
            inputs: { images: ['1', 0], filename_prefix: '%date:yyyy%/%EmptyImage.width%_%Flip.image%' },
          },
        },
      },
      objectInfo,
      now,
    );
    // Flip is muted (dropped from the prompt) but still named; its image is a link, so no widget answers.
    expect(prompt['3']!.inputs.filename_prefix).toBe('2024/64_%Flip.image%');
    expect(prompt['2']).toBeUndefined();
  });
});
