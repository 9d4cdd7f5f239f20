import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { searchField, searchNodes, termScore, withinOneEdit } from '../../client/src/graph/fuzzy.js';

/** The add-node search against the server's real /object_info (every shipped node, with its translations). */

const objectInfo = buildObjectInfo(createRegistry(), {
  inputDir: '/none',
  outputDir: '/none',
  tempDir: '/none',
  modelsDir: '/none',
});

const top = (query: string, count = 3, locale: 'en' | 'zh-CN' = 'en'): string[] =>
  searchNodes(query, objectInfo, locale)
    .slice(0, count)
    .map((hit) => hit.classType);

describe('one edit apart', () => {
  it('accepts a swap of neighbours, a missing, an extra or a wrong letter, and nothing more', () => {
    expect(withinOneEdit('ksampelr', 'ksampler')).toBe(true);
    expect(withinOneEdit('ksamler', 'ksampler')).toBe(true);
    expect(withinOneEdit('ksampller', 'ksampler')).toBe(true);
    expect(withinOneEdit('ksanpler', 'ksampler')).toBe(true);
    expect(withinOneEdit('skampelr', 'ksampler')).toBe(false);
    expect(withinOneEdit('ksamp', 'ksampler')).toBe(false);
    expect(withinOneEdit('abc', 'cba')).toBe(false);
  });
});

describe('query words against a field', () => {
  it('splits camelCase class types into words and ranks exact above prefix above inside above typo', () => {
    const field = searchField('KSamplerAdvanced', 3, true);
    expect(field.words).toEqual(expect.arrayContaining(['ksampleradvanced', 'k', 'sampler', 'advanced']));
    expect(termScore('sampler', field)).toBe(10);
    expect(termScore('adv', field)).toBe(7);
    expect(termScore('pleradv', field)).toBe(5);
    expect(termScore('advancde', field)).toBe(4);
    expect(termScore('advnc', field)).toBe(3);
    expect(termScore('xyz', field)).toBe(0);
    // Descriptions take no typos.
    expect(termScore('advancde', searchField('KSamplerAdvanced', 1, false))).toBe(0);
  });
});

describe('node search over /object_info', () => {
  it('finds "latent upscale" and "upscale latent" (display name Upscale Latent) first', () => {
    expect(top('latent upscale', 2)).toEqual(['LatentUpscale', 'LatentUpscaleBy']);
    expect(top('upscale latent', 2)).toEqual(['LatentUpscale', 'LatentUpscaleBy']);
  });

  it('finds KSampler first despite one typo: a swap, a missing or an extra letter', () => {
    for (const typo of ['ksampelr', 'ksamler', 'ksampller', 'ksmapler'])
      expect(top(typo, 1), typo).toEqual(['KSampler']);
    expect(top('vae deocde', 2)).toEqual(['VAEDecode', 'VAEDecodeTiled']);
  });

  it('ranks exact names first, then names starting with the query, then words found elsewhere', () => {
    expect(top('ksampler', 2)).toEqual(['KSampler', 'KSamplerAdvanced']);
    expect(top('vae decode', 2)).toEqual(['VAEDecode', 'VAEDecodeTiled']);
    expect(top('save image', 2)).toEqual(['SaveImage', 'SaveImageWebsocket']);
    expect(top('clip text encode', 1)).toEqual(['CLIPTextEncode']);
    const image = searchNodes('image scale', objectInfo, 'en').map((hit) => hit.classType);
    expect(image[0]).toBe('ImageScale');
    expect(image.slice(1, 3).sort()).toEqual(['ImageScaleBy', 'ImageScaleToTotalPixels']);
  });

  it('matches words across display name, class type and category in any order', () => {
    // "sampling" is only KSampler's category; "advanced" is in its display name and class type.
    expect(top('advanced sampling', 1)).toEqual(['KSamplerAdvanced']);
    // "upscaling" is the category image/upscaling; "by" is in the display name Upscale Image By.
    expect(top('by upscaling', 1)).toEqual(['ImageScaleBy']);
    expect(searchNodes('latent batch', objectInfo, 'en').map((hit) => hit.classType)).toEqual(
      expect.arrayContaining(['LatentFromBatch', 'RepeatLatentBatch']),
    );
  });

  it('needs every word to match somewhere', () => {
    expect(searchNodes('latent zebra', objectInfo, 'en')).toEqual([]);
    expect(searchNodes('qqqq', objectInfo, 'en')).toEqual([]);
  });

  it('still finds abbreviations and Chinese names', () => {
    expect(top('ckpt', 1)).toEqual(['CheckpointLoaderSimple']);
    // Many nodes are 采样器 (samplers) now; the plain KSampler comes first, the advanced one by its own words.
    expect(top('采样', 1, 'zh-CN')).toEqual(['KSampler']);
    expect(top('采样器高级', 1, 'zh-CN')).toEqual(['KSamplerAdvanced']);
    expect(top('放大潜空间', 1, 'zh-CN')).toEqual(['LatentUpscale']);
  });
});
