import { join } from 'node:path';
import { defineNode } from '../contract/node-definition.js';
import { modelPath } from '../runtime/model-path.js';
import { listVisionModels, loadVisionModel } from '../runtime/vision/vision-model.js';
import { visionLoaderMemory } from '../runtime/vision/vision-memory.js';

export const ImageSegmenterLoader = defineNode({
  classType: 'ImageSegmenterLoader',
  displayName: 'Load Image Segmenter',
  category: 'vision',
  description:
    'Loads an ONNX segmenter from models/segmenters (probability maps such as U²-Net or text detectors, or per-class maps such as DeepLabV3).',
  translations: {
    'zh-CN': {
      display_name: '加载图像分割器',
      description: '从 models/segmenters 加载 ONNX 分割模型（概率图如 U²-Net、文字检测，或逐类别的 DeepLabV3）。',
      inputs: { model_name: '模型' },
    },
  },
  inputs: { model_name: { kind: 'COMBO', options: (env) => listVisionModels(join(env.modelsDir, 'segmenters')) } },
  outputs: [{ type: 'SEGMENTER', name: 'SEGMENTER' }],
  estimate: ({ model_name }, ctx) => visionLoaderMemory(ctx.env.modelsDir, 'segmenters', model_name),
  run: async ({ model_name }, ctx) => {
    const model = await loadVisionModel(
      modelPath(ctx.env.modelsDir, 'segmenters', model_name, 'model_name'),
      'segmentation',
      ctx.caches,
    );
    return { outputs: [model], ...(model.note ? { ui: { text: [model.note] } } : {}) };
  },
});
