import { patchedModelsDir } from '../runtime/diffusion/patched-model.js';
import { defineNode } from '../contract/node-definition.js';
import { mergeModels } from '../runtime/diffusion/model-merge.js';
import { mergeMemory } from '../runtime/diffusion/memory-estimates.js';
import '../runtime/diffusion/types.js';

export const ModelMergeSimple = defineNode({
  classType: 'ModelMergeSimple',
  displayName: 'ModelMergeSimple',
  category: 'advanced/model_merging',
  description:
    "Merges two models' UNets exported from the same graph: every weight becomes ratio × model1's + (1 − ratio) × model2's.",
  translations: {
    'zh-CN': {
      display_name: '简单模型融合',
      description: '融合两个由同一计算图导出的模型的 UNet：每个权重为 ratio × 模型1 + (1 − ratio) × 模型2。',
      inputs: { model1: '模型1', model2: '模型2', ratio: '比例' },
    },
  },
  inputs: {
    model1: { kind: 'SOCKET', type: 'MODEL' },
    model2: { kind: 'SOCKET', type: 'MODEL' },
    ratio: { kind: 'FLOAT', default: 1, min: 0, max: 1, step: 0.01 },
  },
  outputs: [{ type: 'MODEL', name: 'MODEL' }],
  estimate: ({ model1 }) => mergeMemory(model1),
  run: ({ model1, model2, ratio }, ctx) => ({
    outputs: [mergeModels(model1, model2, ratio, 1 - ratio, patchedModelsDir(ctx.env))],
  }),
});
