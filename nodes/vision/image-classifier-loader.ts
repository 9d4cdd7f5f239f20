import { join } from 'node:path';
import { defineNode } from '../contract/node-definition.js';
import { modelPath } from '../runtime/model-path.js';
import { listVisionModels, loadVisionModel } from '../runtime/vision/vision-model.js';
import { visionLoaderMemory } from '../runtime/vision/vision-memory.js';

export const ImageClassifierLoader = defineNode({
  classType: 'ImageClassifierLoader',
  displayName: 'Load Image Classifier',
  category: 'vision',
  description:
    'Loads an ONNX image classifier from models/classifiers, with its sidecar JSON (preprocessing, labels) or presets for common families.',
  translations: {
    'zh-CN': {
      display_name: '加载图像分类器',
      description: '从 models/classifiers 加载 ONNX 图像分类器及其说明 JSON（预处理、标签），或使用常见模型的预设。',
      inputs: { model_name: '模型' },
    },
  },
  inputs: { model_name: { kind: 'COMBO', options: (env) => listVisionModels(join(env.modelsDir, 'classifiers')) } },
  outputs: [{ type: 'CLASSIFIER', name: 'CLASSIFIER' }],
  estimate: ({ model_name }, ctx) => visionLoaderMemory(ctx.env.modelsDir, 'classifiers', model_name),
  run: async ({ model_name }, ctx) => {
    const model = await loadVisionModel(
      modelPath(ctx.env.modelsDir, 'classifiers', model_name, 'model_name'),
      'classification',
      ctx.caches,
    );
    return { outputs: [model], ...(model.note ? { ui: { text: [model.note] } } : {}) };
  },
});
