import { patchedModelsDir } from '../runtime/diffusion/patched-model.js';
import { defineNode } from '../contract/node-definition.js';
import { mergeModels } from '../runtime/diffusion/model-merge.js';
import { mergeMemory } from '../runtime/diffusion/memory-estimates.js';
import '../runtime/diffusion/types.js';

/** ComfyUI's ModelSubtract (shown as ModelMergeSubtract): multiplier × (model1 − model2), as its add_patches does. */
export const ModelMergeSubtract = defineNode({
  classType: 'ModelMergeSubtract',
  displayName: 'ModelMergeSubtract',
  category: 'advanced/model_merging',
  description:
    "Subtracts model2's UNet weights from model1's: every weight becomes multiplier × (model1's − model2's), as in ComfyUI.",
  translations: {
    'zh-CN': {
      display_name: '模型相减',
      description: '从模型1的 UNet 权重中减去模型2的：每个权重为 multiplier × (模型1 − 模型2)，与 ComfyUI 相同。',
      inputs: { model1: '模型1', model2: '模型2', multiplier: '倍数' },
    },
  },
  inputs: {
    model1: { kind: 'SOCKET', type: 'MODEL' },
    model2: { kind: 'SOCKET', type: 'MODEL' },
    multiplier: { kind: 'FLOAT', default: 1, min: -10, max: 10, step: 0.01 },
  },
  outputs: [{ type: 'MODEL', name: 'MODEL' }],
  estimate: ({ model1 }) => mergeMemory(model1),
  run: ({ model1, model2, multiplier }, ctx) => ({
    outputs: [mergeModels(model1, model2, multiplier, -multiplier, patchedModelsDir(ctx.env))],
  }),
});
