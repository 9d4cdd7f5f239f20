import { patchedModelsDir } from '../runtime/diffusion/patched-model.js';
import { defineNode } from '../contract/node-definition.js';
import { mergeModels } from '../runtime/diffusion/model-merge.js';
import { mergeMemory } from '../runtime/diffusion/memory-estimates.js';
import '../runtime/diffusion/types.js';

export const ModelMergeAdd = defineNode({
  classType: 'ModelMergeAdd',
  displayName: 'ModelMergeAdd',
  category: 'advanced/model_merging',
  description: "Adds model2's UNet weights to model1's (models exported from the same graph).",
  translations: {
    'zh-CN': {
      display_name: '模型相加',
      description: '把模型2的 UNet 权重加到模型1上（两者须由同一计算图导出）。',
      inputs: { model1: '模型1', model2: '模型2' },
    },
  },
  inputs: {
    model1: { kind: 'SOCKET', type: 'MODEL' },
    model2: { kind: 'SOCKET', type: 'MODEL' },
  },
  outputs: [{ type: 'MODEL', name: 'MODEL' }],
  estimate: ({ model1 }) => mergeMemory(model1),
  run: ({ model1, model2 }, ctx) => ({
    outputs: [mergeModels(model1, model2, 1, 1, patchedModelsDir(ctx.env))],
  }),
});
