import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SharedCachesStore } from '../../server/worker/shared-caches.js';
import { classify, loadVisionModel, segment } from '../../nodes/runtime/vision/vision-model.js';
import { drawText } from '../helpers/bitmap-text.js';
import { makeTestEnv } from '../helpers/env.js';

/** Real third-party models from an npm package: PaddleOCR's text detector and text-direction classifier. */

const assets = resolve(import.meta.dirname, '..', '..', 'node_modules', '@gutenye', 'ocr-models', 'assets');
const dirs = makeTestEnv('inkgraph-vision-');
const caches = new SharedCachesStore();
afterAll(async () => {
  await caches.clear();
  dirs.cleanup();
});
mkdirSync(join(dirs.modelsDir, 'segmenters'), { recursive: true });
mkdirSync(join(dirs.modelsDir, 'classifiers'), { recursive: true });
// Dropped in as they come: the detector with no sidecar at all.
copyFileSync(join(assets, 'ch_PP-OCRv4_det_infer.onnx'), join(dirs.modelsDir, 'segmenters', 'ppocr-det.onnx'));
copyFileSync(
  join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  join(dirs.modelsDir, 'classifiers', 'ppocr-cls.onnx'),
);
// The direction classifier's preprocessing (PaddleOCR's ClsResizeImg): height 48, width up to 192, padded with 0.
writeFileSync(
  join(dirs.modelsDir, 'classifiers', 'ppocr-cls.json'),
  JSON.stringify({
    task: 'classification',
    input: { size: [48, 192], resize: 'keep-aspect-pad', pad: 'zero', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
    output: { activation: 'none' },
    labels: ['0', '180'],
  }),
);

describe('PaddleOCR text detector as a segmenter, with no sidecar', () => {
  it('infers the text-detector preset and its mask covers the drawn text', async () => {
    const model = await loadVisionModel(join(dirs.modelsDir, 'segmenters', 'ppocr-det.onnx'), 'segmentation', caches);
    expect(model.note).toContain('text-region detector');
    const { image, box } = drawText('HELLO WORLD', { width: 320, height: 160, x: 30, y: 60, scale: 4 });
    const { mask } = await segment(model, image, 0.3, '', caches);
    // DB-style detectors mark the (shrunk) text core: most ink should be inside the mask, and the mask should stay
    // near the text (within a margin of the text's height).
    let ink = 0;
    let inkCovered = 0;
    let masked = 0;
    let maskedFar = 0;
    const margin = box.height / 2;
    for (let y = 0; y < 160; y++) {
      for (let x = 0; x < 320; x++) {
        const on = mask.data[y * 320 + x]! > 0.5;
        const dark = image.data[(y * 320 + x) * 3]! < 0.5;
        ink += dark ? 1 : 0;
        inkCovered += dark && on ? 1 : 0;
        masked += on ? 1 : 0;
        const near =
          x >= box.x - margin &&
          x < box.x + box.width + margin &&
          y >= box.y - margin &&
          y < box.y + box.height + margin;
        maskedFar += on && !near ? 1 : 0;
      }
    }
    expect(inkCovered / ink).toBeGreaterThan(0.6);
    expect(masked).toBeGreaterThan(0);
    expect(maskedFar / masked).toBeLessThan(0.05);
  });
});

describe('PaddleOCR text-direction classifier with a sidecar', () => {
  it('classifies an upright line as 0 and a 180°-rotated line as 180', async () => {
    const model = await loadVisionModel(
      join(dirs.modelsDir, 'classifiers', 'ppocr-cls.onnx'),
      'classification',
      caches,
    );
    expect(model.labels).toEqual(['0', '180']);
    const upright = drawText('TEXT LINE', { width: 192, height: 48, x: 4, y: 10, scale: 4 }).image;
    const rotated = drawText('TEXT LINE', { width: 192, height: 48, x: 4, y: 10, scale: 4, rotate180: true }).image;
    const [up] = await classify(model, upright, 1, caches);
    const [down] = await classify(model, rotated, 1, caches);
    expect(up![0]!.label).toBe('0');
    expect(down![0]!.label).toBe('180');
  });

  it('refuses a sidecar that does not match the model, naming the field', async () => {
    writeFileSync(
      join(dirs.modelsDir, 'classifiers', 'bad.json'),
      JSON.stringify({ task: 'classification', input: { name: 'pixels' } }),
    );
    copyFileSync(join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), join(dirs.modelsDir, 'classifiers', 'bad.onnx'));
    await expect(
      loadVisionModel(join(dirs.modelsDir, 'classifiers', 'bad.onnx'), 'classification', caches),
    ).rejects.toThrow(/names input "pixels" but the model's inputs are x/);
  });
});

describe('vision nodes end to end through the server', () => {
  it('loads, segments, previews the mask, classifies and describes', async () => {
    const { startTestServer, TestSocket, postJson, getJson } = await import('../helpers/server.js');
    const { encodePng } = await import('../../media/png.js');
    const { batchItemToRaster } = await import('../../nodes/runtime/image/image-batch.js');
    const server = await startTestServer({ modelsDir: dirs.modelsDir });
    const socket = await TestSocket.open(server.url, 'vision');
    try {
      writeFileSync(
        join(server.dirs.inputDir, 'text.png'),
        encodePng(
          batchItemToRaster(drawText('HELLO WORLD', { width: 320, height: 160, x: 30, y: 60, scale: 4 }).image, 0),
        ),
      );
      writeFileSync(
        join(server.dirs.inputDir, 'line.png'),
        encodePng(
          batchItemToRaster(
            drawText('TEXT LINE', { width: 192, height: 48, x: 4, y: 10, scale: 4, rotate180: true }).image,
            0,
          ),
        ),
      );
      const prompt = {
        '1': { class_type: 'LoadImage', inputs: { image: 'text.png' } },
        '2': { class_type: 'ImageSegmenterLoader', inputs: { model_name: 'ppocr-det.onnx' } },
        '3': {
          class_type: 'ImageSegment',
          inputs: { image: ['1', 0], segmenter: ['2', 0], threshold: 0.3, class_name: '' },
        },
        '4': { class_type: 'MaskPreview', inputs: { images: ['1', 0], mask: ['3', 0] } },
        '5': { class_type: 'LoadImage', inputs: { image: 'line.png' } },
        '6': { class_type: 'ImageClassifierLoader', inputs: { model_name: 'ppocr-cls.onnx' } },
        '7': { class_type: 'ImageClassify', inputs: { image: ['5', 0], classifier: ['6', 0], top_k: 2 } },
        '8': { class_type: 'DescribeImage', inputs: { labels: ['7', 1], language: 'en', mask: ['3', 0] } },
        '9': { class_type: 'JoinImageWithAlpha', inputs: { image: ['1', 0], alpha: ['3', 0] } },
        '10': { class_type: 'SaveImage', inputs: { images: ['9', 0], filename_prefix: 'cutout' } },
      };
      const response = await postJson(`${server.url}/prompt`, { prompt, client_id: 'vision' });
      expect(response.status, JSON.stringify(response.json)).toBe(200);
      const promptId = (response.json as { prompt_id: string }).prompt_id;
      await socket.waitForEnd(promptId);
      const entry = (
        (await getJson(`${server.url}/history/${promptId}`)).json as Record<
          string,
          { status: { status_str: string }; outputs: Record<string, Record<string, unknown[]>> }
        >
      )[promptId]!;
      expect(entry.status.status_str).toBe('success');
      expect(entry.outputs['4']!.images).toHaveLength(1);
      expect((entry.outputs['7']!.labels![0] as { label: string }[])[0]!.label).toBe('180');
      expect(String(entry.outputs['8']!.text![0])).toMatch(
        /^a 180 \(\d+%\), in the centre, covering \d+% of the image$/,
      );
      expect(entry.outputs['10']!.images).toHaveLength(1);
    } finally {
      socket.close();
      await server.stop();
    }
  });
});

describe('a multi-class segmenter (DeepLab/FCN convention: out [N,21,H,W])', () => {
  it('uses the VOC preset, selects a class by name, and refuses an unknown class', async () => {
    const { GraphBuilder, DataType } = await import('../fixtures/onnx-builder.js');
    const { createImageBatch } = await import('../../nodes/runtime/image/image-batch.js');
    // Channel k's logit is k·(red − 0.5)·8: red pixels vote for the last class, dark ones for background.
    const g = new GraphBuilder(9);
    const x = g.input('input', DataType.FLOAT, ['N', 3, 'H', 'W']);
    const weights = Array.from({ length: 21 * 3 }, (_, i) => (i % 3 === 0 ? (Math.floor(i / 3) * 8) / 2.5 : 0));
    const bias = Array.from({ length: 21 }, (_, k) => (k === 0 ? 4 : -k));
    g.output('out', DataType.FLOAT, ['N', 21, 'H', 'W']);
    g.op('Conv', [x, g.floats([21, 3, 1, 1], weights), g.floats([21], bias)], {}, 'out');
    writeFileSync(join(dirs.modelsDir, 'segmenters', 'voc-like.onnx'), g.encode('voc'));
    const model = await loadVisionModel(join(dirs.modelsDir, 'segmenters', 'voc-like.onnx'), 'segmentation', caches);
    expect(model.sidecar.kind).toBe('classes');
    expect(model.labels[20]).toBe('tvmonitor');
    const image = createImageBatch(1, 16, 16, 3);
    for (let y = 0; y < 16; y++) for (let x2 = 8; x2 < 16; x2++) image.data[(y * 16 + x2) * 3] = 1;
    const all = await segment(model, image, 0.5, '', caches);
    const right = Array.from(all.mask.data)
      .filter((_, p) => p % 16 >= 10)
      .every((value) => value === 1);
    const left = Array.from(all.mask.data)
      .filter((_, p) => p % 16 < 6)
      .every((value) => value === 0);
    expect(right && left).toBe(true);
    expect(all.classMap?.channels).toBe(3);
    const tv = await segment(model, image, 0.5, 'tvmonitor', caches);
    expect(tv.mask.data[15]).toBe(1);
    const cat = await segment(model, image, 0.5, 'cat', caches);
    expect(Array.from(cat.mask.data).every((value) => value === 0)).toBe(true);
    await expect(segment(model, image, 0.5, 'unicorn', caches)).rejects.toThrow(/no class "unicorn"/);
  });
});
