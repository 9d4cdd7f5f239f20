import { join } from 'node:path';
import { defineNode } from '../contract/node-definition.js';
import { modelPath } from '../runtime/model-path.js';
import { listUpscaleModels, loadUpscaleModel } from '../runtime/image/upscale-model.js';

export const UpscaleModelLoader = defineNode({
  classType: 'UpscaleModelLoader',
  displayName: 'Load Upscale Model',
  category: 'loaders',
  description:
    'Loads an ONNX super-resolution model (ESRGAN and the like) from models/upscale_models; its scale comes from a sidecar <name>.json {"scale": 4}, its shapes, or a probe run.',
  translations: {
    'zh-CN': {
      display_name: '加载放大模型',
      description:
        '从 models/upscale_models 加载 ONNX 超分辨率模型（ESRGAN 等）；放大倍数取自同名 .json（{"scale": 4}）、模型形状或一次试运行。',
      inputs: { model_name: '模型名称' },
    },
  },
  inputs: {
    model_name: { kind: 'COMBO', options: (env) => listUpscaleModels(join(env.modelsDir, 'upscale_models')) },
  },
  outputs: [{ type: 'UPSCALE_MODEL', name: 'UPSCALE_MODEL' }],
  run: async ({ model_name }, ctx) => {
    const path = modelPath(ctx.env.modelsDir, 'upscale_models', model_name, 'model_name');
    const model = await loadUpscaleModel(path, ctx.caches);
    return { outputs: [model], ui: { text: [`${model.name}: ×${model.scale}`] } };
  },
});
