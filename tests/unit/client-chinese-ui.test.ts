import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { addNode } from '../../client/src/graph/add-node.js';
import { createNode, defaultTitle, uiLanguageValue } from '../../client/src/graph/node-factory.js';
import { categoryLabel } from '../../client/src/i18n/categories.js';

/** The pure parts of the Chinese UI: categories, tooltips, a new node's title and language widget. */

const objectInfo = buildObjectInfo(createRegistry(), {
  inputDir: '/none',
  outputDir: '/none',
  tempDir: '/none',
  modelsDir: '/none',
});

const HAN = /\p{Script=Han}/u;
// Identifiers ComfyUI's Chinese UI also leaves as they are.
const LATIN_ALLOWED = new Set(['API', 'ControlNet']);

describe('categoryLabel', () => {
  it('translates each segment of a ComfyUI category path', () => {
    expect(categoryLabel('zh-CN', 'image/postprocessing')).toBe('图像/后期处理');
    expect(categoryLabel('zh-CN', 'conditioning')).toBe('条件');
    expect(categoryLabel('zh-CN', 'latent')).toBe('潜空间');
    expect(categoryLabel('zh-CN', 'advanced/conditioning')).toBe('高级/条件');
  });

  it('keeps English in English, unknown segments as they are, and a node’s own translation first', () => {
    expect(categoryLabel('en', 'image/postprocessing')).toBe('image/postprocessing');
    expect(categoryLabel('zh-CN', 'image/my_pack')).toBe('图像/my_pack');
    expect(categoryLabel('zh-CN', 'image', '我的图像')).toBe('我的图像');
  });

  it('leaves no shipped category with an English word in Chinese', () => {
    for (const info of Object.values(objectInfo)) {
      const words = categoryLabel('zh-CN', info.category).match(/[A-Za-z_]+/g) ?? [];
      expect(
        words.filter((word) => !LATIN_ALLOWED.has(word)),
        info.category,
      ).toEqual([]);
    }
  });
});

describe('tooltips', () => {
  it('every input with an English tooltip has a Chinese one, served in /object_info', () => {
    let count = 0;
    for (const info of Object.values(objectInfo)) {
      const inputs = { ...info.input.required, ...info.input.optional };
      for (const [name, spec] of Object.entries(inputs)) {
        if (!spec[1]?.tooltip) continue;
        count++;
        const chinese = info.translations?.['zh-CN']?.tooltips?.[name];
        expect(chinese, `${info.name}.${name}`).toMatch(HAN);
      }
    }
    // The shipped nodes carry this many tooltips today; a lower count means they stopped being served.
    expect(count).toBeGreaterThanOrEqual(30);
  });

  it('gives no Chinese tooltip for an input a node does not have', () => {
    for (const info of Object.values(objectInfo)) {
      const inputs = { ...info.input.required, ...info.input.optional };
      for (const name of Object.keys(info.translations?.['zh-CN']?.tooltips ?? {}))
        expect(inputs, `${info.name}.${name}`).toHaveProperty(name);
    }
  });
});

describe('a new node’s language widget', () => {
  const describeImage = objectInfo['DescribeImage']!;

  it('follows the UI language where the combo offers it', () => {
    expect(createNode(describeImage, '1', { x: 0, y: 0 }, 'Describe Image', 'zh-CN').data.widgets['language']).toBe(
      'zh',
    );
    expect(createNode(describeImage, '1', { x: 0, y: 0 }, 'Describe Image', 'en').data.widgets['language']).toBe('en');
    expect(createNode(describeImage, '1', { x: 0, y: 0 }, 'Describe Image').data.widgets['language']).toBe('en');
  });

  it('leaves other combos and combos without the language alone', () => {
    const field = { name: 'language', type: 'COMBO', spec: [['fr', 'de']] as [string[]], optional: false };
    expect(uiLanguageValue(field, 'zh-CN')).toBeUndefined();
    expect(uiLanguageValue({ ...field, name: 'sampler_name', spec: [['zh']] }, 'zh-CN')).toBeUndefined();
  });
});

describe('a new node’s title', () => {
  it('is its display name in the UI’s language', () => {
    expect(defaultTitle(objectInfo['VAEDecode']!, 'zh-CN')).toBe('VAE 解码');
    expect(defaultTitle(objectInfo['VAEDecode']!, 'en')).toBe('VAE Decode');
  });

  it('is what addNode gives a node added in a Chinese UI', () => {
    const graph = addNode(
      { nodes: [], edges: [] },
      objectInfo['SaveImage']!,
      { x: 0, y: 0 },
      objectInfo,
      undefined,
      undefined,
      'zh-CN',
    );
    const added = graph.nodes[0];
    expect(added?.type === 'ink' ? added.data.title : undefined).toBe('保存图像');
  });
});
