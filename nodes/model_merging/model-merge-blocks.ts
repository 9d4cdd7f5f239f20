import { patchedModelsDir } from '../runtime/diffusion/patched-model.js';
import { defineNode } from '../contract/node-definition.js';
import { mergeModels } from '../runtime/diffusion/model-merge.js';
import { mergeMemory } from '../runtime/diffusion/memory-estimates.js';
import '../runtime/diffusion/types.js';

const ratio = { kind: 'FLOAT', default: 1, min: 0, max: 1, step: 0.01 } as const;

export const ModelMergeBlocks = defineNode({
  classType: 'ModelMergeBlocks',
  displayName: 'ModelMergeBlocks',
  category: 'advanced/model_merging',
  description:
    "Merges two models' UNets block by block: input, middle and output blocks each with their own ratio (model1's share), by the weights' original names; weights outside the blocks take the input ratio, as in ComfyUI.",
  translations: {
    'zh-CN': {
      display_name: '分块模型融合',
      description:
        '按块融合两个模型的 UNet：输入块、中间块、输出块各用自己的比例（模型1 的占比），按权重的原始名称划分；块外的权重用输入块的比例，与 ComfyUI 相同。',
      inputs: { model1: '模型1', model2: '模型2', input: '输入块', middle: '中间块', out: '输出块' },
    },
  },
  inputs: {
    model1: { kind: 'SOCKET', type: 'MODEL' },
    model2: { kind: 'SOCKET', type: 'MODEL' },
    input: ratio,
    middle: ratio,
    out: ratio,
  },
  outputs: [{ type: 'MODEL', name: 'MODEL' }],
  estimate: ({ model1 }) => mergeMemory(model1),
  run: ({ model1, model2, input, middle, out }, ctx) => ({
    outputs: [mergeModels(model1, model2, input, 1 - input, patchedModelsDir(ctx.env), { input, middle, out })],
  }),
});
