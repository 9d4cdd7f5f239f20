import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { encodePng, asciiJson } from '../../media/png.js';
import { fuzzyScore, searchNodes } from '../../client/src/graph/fuzzy.js';
import { applySeedControls, createNode, nextNodeId } from '../../client/src/graph/node-factory.js';
import { readPngTextChunks, workflowFromPngText } from '../../client/src/graph/png-metadata.js';
import { copySelection, pasteWorkflowText } from '../../client/src/graph/clipboard.js';
import { browserLocale, isLocale, translate } from '../../client/src/i18n/messages.js';
import type { EditorGraph, InkNode } from '../../client/src/graph/types.js';

const objectInfo = buildObjectInfo(createRegistry(), {
  inputDir: '/none',
  outputDir: '/none',
  tempDir: '/none',
  modelsDir: '/none',
});

describe('node search', () => {
  it('scores direct and in-order matches, and finds nodes by name, category, description and Chinese title', () => {
    expect(fuzzyScore('ksa', 'KSampler')).toBeGreaterThan(fuzzyScore('ksa', 'Load Checkpoint'));
    expect(fuzzyScore('xyz', 'KSampler')).toBe(0);
    expect(searchNodes('ksamp', objectInfo, 'en')[0]!.classType).toBe('KSampler');
    expect(searchNodes('upscaling', objectInfo, 'en').map((hit) => hit.classType)).toContain('ImageScale');
    expect(searchNodes('采样', objectInfo, 'zh-CN')[0]!.classType).toMatch(/^KSampler/);
    const imageTakers = searchNodes('', objectInfo, 'en', (info) =>
      Object.values(info.input.required).some((spec) => spec[0] === 'IMAGE'),
    );
    expect(imageTakers.map((hit) => hit.classType)).toContain('SaveImage');
    expect(imageTakers.map((hit) => hit.classType)).not.toContain('EmptyLatentImage');
  });
});

describe('nodes from specs and seed controls', () => {
  it('creates a node with spec defaults and a seed control', () => {
    const node = createNode(objectInfo.KSampler!, '7', { x: 0, y: 0 }, 'KSampler');
    expect(node.data.widgets).toMatchObject({ seed: 0, steps: 20, cfg: 8, sampler_name: 'euler', denoise: 1 });
    expect(node.data.controls).toEqual({ seed: 'randomize' });
  });

  it('applies controls before queueing: increment, decrement (wrapping at the limits), randomize, fixed', () => {
    const ksampler = (
      id: string,
      seed: number,
      control: 'fixed' | 'increment' | 'decrement' | 'randomize',
    ): InkNode => {
      const node = createNode(objectInfo.KSampler!, id, { x: 0, y: 0 }, 'KSampler');
      return { ...node, data: { ...node.data, widgets: { ...node.data.widgets, seed }, controls: { seed: control } } };
    };
    const graph: EditorGraph = {
      nodes: [
        ksampler('1', 5, 'increment'),
        ksampler('2', 0, 'decrement'),
        ksampler('3', 9, 'fixed'),
        ksampler('4', 1, 'randomize'),
      ],
      edges: [],
    };
    const next = applySeedControls(graph, objectInfo, () => 0.5);
    const seeds = next.nodes.map((node) => (node as InkNode).data.widgets.seed);
    expect(seeds.slice(0, 3)).toEqual([6, Number.MAX_SAFE_INTEGER, 9]);
    expect(seeds[3]).toBe(Math.floor(0.5 * (2 ** 50 + 1)));
    expect(nextNodeId(graph)).toBe('5');
  });
});

describe('PNG workflow metadata in the browser', () => {
  it("reads the inkgraph chunk first, then ComfyUI's workflow (UI format, with layout), then its prompt", () => {
    const pixels = { width: 1, height: 1, channels: 3 as const, data: new Uint8Array(3) };
    const both = encodePng(pixels, {
      text: {
        prompt: asciiJson({ '1': { class_type: 'X', inputs: {} } }),
        inkgraph: asciiJson({ prompt: {}, note: '中' }),
      },
    });
    expect(workflowFromPngText(readPngTextChunks(both))).toEqual({ prompt: {}, note: '中' });
    const comfy = encodePng(pixels, {
      text: { prompt: '{"3":{"class_type":"KSampler","inputs":{}}}', workflow: '{"nodes":[],"links":[]}' },
    });
    expect(workflowFromPngText(readPngTextChunks(comfy))).toEqual({ nodes: [], links: [] });
    const apiOnly = encodePng(pixels, { text: { prompt: '{"3":{"class_type":"KSampler","inputs":{}}}' } });
    expect(workflowFromPngText(readPngTextChunks(apiOnly))).toEqual({ '3': { class_type: 'KSampler', inputs: {} } });
    expect(workflowFromPngText(readPngTextChunks(encodePng(pixels)))).toBeUndefined();
    expect(readPngTextChunks(Uint8Array.from([1, 2, 3]))).toEqual({});
  });
});

describe('copy and paste as workflow JSON', () => {
  it('pastes a copy with fresh ids and the links among the copied nodes', () => {
    const load = createNode(objectInfo.LoadImage!, '1', { x: 0, y: 0 }, 'Load Image');
    const invert = createNode(objectInfo.ImageInvert!, '2', { x: 300, y: 0 }, 'Invert');
    const graph: EditorGraph = {
      nodes: [load, invert],
      edges: [{ id: 'e', source: '1', sourceHandle: 'out-0', target: '2', targetHandle: 'image' }],
    };
    const text = copySelection(graph, new Set(['1', '2']));
    const pasted = pasteWorkflowText(graph, text, objectInfo);
    if (!pasted.ok) throw new Error(pasted.reason);
    expect(pasted.value.pasted).toEqual(['3', '4']);
    expect(pasted.value.graph.edges.map((edge) => `${edge.source}>${edge.target}`)).toEqual(['1>2', '3>4']);
    const refused = pasteWorkflowText(graph, 'not json', objectInfo);
    expect(refused.ok ? undefined : refused.reason).toContain('clipboard');
  });
});

describe('i18n', () => {
  it('follows the browser language and fills parameters', () => {
    expect(browserLocale(['zh-CN', 'en'])).toBe('zh-CN');
    expect(browserLocale(['en-US'])).toBe('en');
    expect(translate('en', 'connection.typeMismatch', { from: 'MASK', to: 'IMAGE' })).toBe('MASK cannot go into IMAGE');
    expect(translate('zh-CN', 'run')).toBe('运行');
  });

  it('knows its locales', () => {
    expect(isLocale('zh-CN')).toBe(true);
    expect(isLocale('en')).toBe(true);
    expect(isLocale('fr')).toBe(false);
  });
});
