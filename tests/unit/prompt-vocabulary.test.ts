import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendPhrase, vocabularyForNode, vocabularyGroups } from '../../client/src/graph/prompt-vocabulary.js';
import { knownWordsFor, promptUnknownWords, unknownWordsFor } from '../../shared/model-vocabulary-search.js';
import type { EditorEdge, EditorGraph, EditorNode, InkNode } from '../../client/src/graph/types.js';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { modelVocabularySchema, type ModelVocabularies } from '../../shared/model-vocabulary.js';

const objectInfo = buildObjectInfo(createRegistry(), {
  inputDir: '/none',
  outputDir: '/none',
  tempDir: '/none',
  modelsDir: '/none',
});
// The vocabulary the shipped model publishes.
const shipped = modelVocabularySchema.parse(
  JSON.parse(
    readFileSync(
      resolve(import.meta.dirname, '..', '..', 'models', 'diffusion', 'inkgraph-emoji', 'vocabulary.json'),
      'utf8',
    ),
  ),
);
const vocabularies: ModelVocabularies = { 'inkgraph-emoji': shipped };

function ink(id: string, classType: string, widgets: Record<string, unknown> = {}): InkNode {
  return {
    id,
    type: 'ink',
    position: { x: 0, y: 0 },
    data: { classType, title: classType, widgets, mode: 0, collapsed: false, controls: {} },
  };
}

function graph(ckpt: string, viaReroute: boolean): EditorGraph {
  const nodes: EditorNode[] = [
    ink('4', 'CheckpointLoaderSimple', { ckpt_name: ckpt }),
    ink('6', 'CLIPTextEncode', { text: '' }),
    ink('9', 'SaveImage'),
  ];
  const edges: EditorEdge[] = [];
  if (viaReroute) {
    nodes.push({ id: 'r', type: 'reroute', position: { x: 0, y: 0 }, data: {} });
    edges.push(
      { id: 'a', source: '4', sourceHandle: 'out-1', target: 'r', targetHandle: 'in' },
      { id: 'b', source: 'r', sourceHandle: 'out', target: '6', targetHandle: 'clip' },
    );
  } else {
    edges.push({ id: 'a', source: '4', sourceHandle: 'out-1', target: '6', targetHandle: 'clip' });
  }
  return { nodes, edges };
}

describe('the vocabulary offered under a prompt', () => {
  it('follows the CLIP wire (through reroutes) to the model that publishes it', () => {
    expect(vocabularyForNode(graph('inkgraph-emoji', false), '6', objectInfo, vocabularies)?.model).toBe(
      'inkgraph-emoji',
    );
    expect(
      vocabularyForNode(graph('inkgraph-emoji', true), '6', objectInfo, vocabularies)?.vocabulary.objects,
    ).toHaveLength(48);
  });

  it('offers nothing for a model without one, an unwired text node, or a node with no CLIP input', () => {
    expect(vocabularyForNode(graph('some-sd15', false), '6', objectInfo, vocabularies)).toBeUndefined();
    expect(
      vocabularyForNode({ nodes: graph('inkgraph-emoji', false).nodes, edges: [] }, '6', objectInfo, vocabularies),
    ).toBeUndefined();
    expect(vocabularyForNode(graph('inkgraph-emoji', false), '9', objectInfo, vocabularies)).toBeUndefined();
  });

  it("follows the CLIP through LoRA loaders, and knows a LoRA's trigger words only when it is loaded", () => {
    const withLora = (lora: string): EditorGraph => ({
      nodes: [
        ink('4', 'CheckpointLoaderSimple', { ckpt_name: 'inkgraph-emoji' }),
        ink('10', 'LoraLoader', { lora_name: lora, strength_model: 1, strength_clip: 1 }),
        ink('6', 'CLIPTextEncode', { text: '' }),
      ],
      edges: [
        { id: 'a', source: '4', sourceHandle: 'out-1', target: '10', targetHandle: 'clip' },
        { id: 'b', source: '10', sourceHandle: 'out-1', target: '6', targetHandle: 'clip' },
      ],
    });
    const inked = vocabularyForNode(withLora('inkgraph-emoji-ink.safetensors'), '6', objectInfo, vocabularies);
    expect(inked?.model).toBe('inkgraph-emoji');
    expect(inked?.loras).toEqual(['inkgraph-emoji-ink.safetensors']);
    expect(unknownWordsFor('a tiny cat, ink drawing', knownWordsFor(inked!))).toEqual(['tiny']);
    const other = vocabularyForNode(withLora('some-style.safetensors'), '6', objectInfo, vocabularies)!;
    expect(unknownWordsFor('a tiny cat, ink drawing', knownWordsFor(other))).toEqual(['tiny', 'ink', 'drawing']);
    const plain = vocabularyForNode(graph('inkgraph-emoji', true), '6', objectInfo, vocabularies)!;
    expect(plain.loras).toEqual([]);
    expect(unknownWordsFor('一个很大的猫，水墨画', knownWordsFor(plain))).toEqual(['很', '猫', '水墨画']);
    // A model that publishes no word list: nothing is named.
    const { words: _words, ...withoutWords } = shipped;
    expect(unknownWordsFor('a tiny cat', knownWordsFor({ ...plain, vocabulary: withoutWords }))).toEqual([]);
  });

  it('finds the same words in an API prompt, as the CLI reports them', () => {
    const prompt = {
      '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'inkgraph-emoji' } },
      '10': {
        class_type: 'LoraLoader',
        inputs: {
          model: ['4', 0],
          clip: ['4', 1],
          lora_name: 'inkgraph-emoji-ink.safetensors',
          strength_model: 1,
          strength_clip: 1,
        },
      },
      '6': { class_type: 'CLIPTextEncode', inputs: { clip: ['10', 1], text: 'a tiny cat, ink drawing' } },
      '7': { class_type: 'CLIPTextEncode', inputs: { clip: ['4', 1], text: 'ink drawing' } },
      '8': { class_type: 'CLIPTextEncode', inputs: { clip: ['4', 1], text: 'a small cat' } },
      '9': { class_type: 'CLIPTextEncode', inputs: { clip: ['missing', 1], text: 'a tiny cat' } },
    };
    expect(promptUnknownWords(prompt, objectInfo, vocabularies)).toEqual([
      { nodeId: '6', input: 'text', model: 'inkgraph-emoji', words: ['tiny'] },
      { nodeId: '7', input: 'text', model: 'inkgraph-emoji', words: ['ink', 'drawing'] },
    ]);
    expect(promptUnknownWords(prompt, objectInfo, {})).toEqual([]);
  });

  it('words the groups as prompts use them, in English and Chinese', () => {
    const en = vocabularyGroups(shipped, 'en');
    expect(en.map((group) => group.key)).toEqual(['objects', 'colours', 'sizes', 'positions', 'styles']);
    // The ink LoRA's trigger words, with the file that teaches them.
    expect(en[4]!.words).toEqual([{ label: 'ink drawing (inkgraph-emoji-ink.safetensors)', phrase: 'ink drawing' }]);
    expect(vocabularyGroups(shipped, 'zh-CN')[4]!.words[0]!.phrase).toBe('水墨画');
    expect(en[0]!.words[0]).toEqual({ label: '🍎 apple', phrase: 'apple' });
    expect(en[1]!.words.find((word) => word.label === 'blue')?.phrase).toBe('blue background');
    const zh = vocabularyGroups(shipped, 'zh-CN');
    expect(zh[1]!.words.find((word) => word.label === '蓝色')?.phrase).toBe('蓝色背景');
    expect(zh[0]!.words[0]!.phrase).toBe('红苹果');
  });

  it('adds a phrase with the separator of the language', () => {
    expect(appendPhrase('', 'apple', 'en')).toBe('apple');
    expect(appendPhrase('a small apple  ', 'blue background', 'en')).toBe('a small apple, blue background');
    expect(appendPhrase('a small apple,', 'blue background', 'en')).toBe('a small apple, blue background');
    expect(appendPhrase('左边的小苹果', '蓝色背景', 'zh-CN')).toBe('左边的小苹果，蓝色背景');
    expect(appendPhrase('左边的小苹果，', '蓝色背景', 'zh-CN')).toBe('左边的小苹果，蓝色背景');
  });
});
