import { join } from 'node:path';
import { defineNode } from './define-node.js';
import { overlayMask } from './runtime/masks.js';
import { saveImages } from './runtime/save-images.js';
import { modelPath } from './runtime/model-path.js';
import { describe, maskPlacement } from './runtime/vision/describe.js';
import { classify, listVisionModels, loadVisionModel, segment } from './runtime/vision/vision-model.js';
import { imageShape, maskShape, pngWritingMemory } from './runtime/image-memory.js';
import { visionLoaderMemory, VISION_RUN_BYTES } from './runtime/vision/vision-memory.js';

/** Classifier and segmenter nodes for ONNX vision models in models/classifiers and models/segmenters. */

export const ImageClassifierLoader = defineNode({
  classType: 'ImageClassifierLoader',
  displayName: 'Load Image Classifier',
  category: 'vision',
  description: 'Loads an ONNX image classifier from models/classifiers, with its sidecar JSON (preprocessing, labels) or presets for common families.',
  translations: { 'zh-CN': { display_name: '加载图像分类器', description: '从 models/classifiers 加载 ONNX 图像分类器及其说明 JSON（预处理、标签），或使用常见模型的预设。', inputs: { model_name: '模型' } } },
  inputs: { model_name: { kind: 'COMBO', options: (env) => listVisionModels(join(env.modelsDir, 'classifiers')) } },
  outputs: [{ type: 'CLASSIFIER', name: 'CLASSIFIER' }],
  estimate: ({ model_name }, ctx) => visionLoaderMemory(ctx.env.modelsDir, 'classifiers', model_name),
  run: async ({ model_name }, ctx) => {
    const model = await loadVisionModel(modelPath(ctx.env.modelsDir, 'classifiers', model_name, 'model_name'), 'classification', ctx.caches);
    return { outputs: [model], ...(model.note ? { ui: { text: [model.note] } } : {}) };
  },
});

export const ImageClassify = defineNode({
  classType: 'ImageClassify',
  displayName: 'Classify Image',
  category: 'vision',
  description: 'The most likely labels of each image with their scores, as text for prompts and as LABELS shown as bars.',
  translations: { 'zh-CN': { display_name: '图像分类', description: '每张图像最可能的标签及分数，输出为文本（可用于提示词）和以条形图显示的标签。', inputs: { image: '图像', classifier: '分类器', top_k: '前 K 个' } } },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
    classifier: { kind: 'SOCKET', type: 'CLASSIFIER' },
    top_k: { kind: 'INT', default: 5, min: 1, max: 100 },
  },
  outputs: [
    { type: 'STRING', name: 'text' },
    { type: 'LABELS', name: 'labels' },
  ],
  outputNode: true,
  estimate: () => ({ outputs: [undefined, undefined], workingBytes: VISION_RUN_BYTES }),
  run: async ({ image, classifier, top_k }, ctx) => {
    const labels = await classify(classifier, image, top_k, ctx.caches);
    const text = labels.map((item) => item.map((entry) => `${entry.label} (${Math.round(entry.score * 100)}%)`).join(', ')).join('\n');
    return { outputs: [text, labels], ui: { labels: labels.map((item) => item.map((entry) => ({ ...entry }))), text: [text] } };
  },
});

export const ImageSegmenterLoader = defineNode({
  classType: 'ImageSegmenterLoader',
  displayName: 'Load Image Segmenter',
  category: 'vision',
  description: 'Loads an ONNX segmenter from models/segmenters (probability maps such as U²-Net or text detectors, or per-class maps such as DeepLabV3).',
  translations: { 'zh-CN': { display_name: '加载图像分割器', description: '从 models/segmenters 加载 ONNX 分割模型（概率图如 U²-Net、文字检测，或逐类别的 DeepLabV3）。', inputs: { model_name: '模型' } } },
  inputs: { model_name: { kind: 'COMBO', options: (env) => listVisionModels(join(env.modelsDir, 'segmenters')) } },
  outputs: [{ type: 'SEGMENTER', name: 'SEGMENTER' }],
  estimate: ({ model_name }, ctx) => visionLoaderMemory(ctx.env.modelsDir, 'segmenters', model_name),
  run: async ({ model_name }, ctx) => {
    const model = await loadVisionModel(modelPath(ctx.env.modelsDir, 'segmenters', model_name, 'model_name'), 'segmentation', ctx.caches);
    return { outputs: [model], ...(model.note ? { ui: { text: [model.note] } } : {}) };
  },
});

export const ImageSegment = defineNode({
  classType: 'ImageSegment',
  displayName: 'Segment Image',
  category: 'vision',
  description: 'A mask of each image: probability above the threshold, or for multi-class models the named class (every non-background class when empty), and the class map.',
  translations: { 'zh-CN': { display_name: '图像分割', description: '每张图像的遮罩：概率高于阈值的区域；多类别模型则为指定类别（为空时为所有非背景类别），并输出类别图。', inputs: { image: '图像', segmenter: '分割器', threshold: '阈值', class_name: '类别' } } },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
    segmenter: { kind: 'SOCKET', type: 'SEGMENTER' },
    threshold: { kind: 'FLOAT', default: 0.5, min: 0, max: 1, step: 0.01 },
    class_name: { kind: 'STRING', default: '' },
  },
  outputs: [
    { type: 'MASK', name: 'MASK' },
    { type: 'IMAGE', name: 'class_map' },
  ],
  // The model's map of each item is resized back to the image: a few image-sized planes while it runs.
  estimate: ({ image }) =>
    image
      ? { outputs: [maskShape(image.batch, image.height, image.width), imageShape(image.batch, image.height, image.width, 3)], workingBytes: VISION_RUN_BYTES + 4 * image.height * image.width * 4 }
      : { outputs: [undefined, undefined], workingBytes: VISION_RUN_BYTES },
  run: async ({ image, segmenter, threshold, class_name }, ctx) => {
    const result = await segment(segmenter, image, threshold, class_name, ctx.caches);
    const classMap = result.classMap ?? { ...image, channels: 3 as const, data: new Float32Array(image.batch * image.height * image.width * 3).map((_, i) => result.mask.data[Math.floor(i / 3)]!) };
    return { outputs: [result.mask, classMap] };
  },
});

export const MaskPreview = defineNode({
  classType: 'MaskPreview',
  displayName: 'Mask Preview',
  category: 'mask',
  description: 'Shows a mask laid over its image in colour.',
  translations: { 'zh-CN': { display_name: '遮罩预览', description: '把遮罩以彩色叠加在图像上显示。', inputs: { images: '图像', mask: '遮罩' } } },
  inputs: {
    images: { kind: 'SOCKET', type: 'IMAGE' },
    mask: { kind: 'SOCKET', type: 'MASK' },
  },
  outputs: [],
  outputNode: true,
  estimate: ({ images }) => ({ ...pngWritingMemory(images), workingBytes: pngWritingMemory(images).workingBytes + (images ? images.batch * images.height * images.width * images.channels * 4 : 0) }),
  run: async ({ images, mask }, ctx) => {
    const overlay = overlayMask(images, mask, [1, 0.15, 0.3]);
    const refs = saveImages({ images: overlay, baseDir: ctx.env.tempDir, type: 'temp', prefix: `mask_preview_${ctx.nodeId}`, compressionLevel: 1, metadata: {} });
    return { outputs: [], ui: { images: refs } };
  },
});

export const DescribeImage = defineNode({
  classType: 'DescribeImage',
  displayName: 'Describe Image',
  category: 'vision',
  description: 'Turns classifier labels (and where the mask lies) into a short text, e.g. "a red apple (92%), in the centre, covering 40% of the image".',
  translations: { 'zh-CN': { display_name: '描述图像', description: '把分类结果（及遮罩位置）写成一句短文本，例如“红苹果（92%），位于中间，占画面 40%”。', inputs: { labels: '标签', language: '语言', mask: '遮罩' } } },
  inputs: {
    labels: { kind: 'SOCKET', type: 'LABELS' },
    language: { kind: 'COMBO', options: ['en', 'zh'] },
    mask: { kind: 'SOCKET', type: 'MASK', optional: true },
  },
  outputs: [{ type: 'STRING', name: 'text' }],
  outputNode: true,
  run: async ({ labels, language, mask }) => {
    const lines = labels.map((item, index) => describe(item, mask ? maskPlacement(mask, Math.min(index, mask.batch - 1)) : undefined, language === 'zh' ? 'zh' : 'en'));
    const text = lines.join('\n');
    return { outputs: [text], ui: { text: [text] } };
  },
});
