import { patchedModelsDir } from '../runtime/diffusion/patched-model.js';
import { defineNode } from '../contract/node-definition.js';
import { mergeClips } from '../runtime/diffusion/model-merge.js';
import { mergeMemory } from '../runtime/diffusion/memory-estimates.js';
import '../runtime/diffusion/types.js';

export const CLIPMergeSimple = defineNode({
  classType: 'CLIPMergeSimple',
  displayName: 'CLIPMergeSimple',
  category: 'advanced/model_merging',
  description:
    "Merges two CLIPs' text encoders exported from the same graph: every weight becomes ratio × clip1's + (1 − ratio) × clip2's.",
  translations: {
    'zh-CN': {
      display_name: '简单 CLIP 融合',
      description: '融合两个由同一计算图导出的 CLIP 文本编码器：每个权重为 ratio × CLIP1 + (1 − ratio) × CLIP2。',
      inputs: { clip1: 'CLIP1', clip2: 'CLIP2', ratio: '比例' },
    },
  },
  inputs: {
    clip1: { kind: 'SOCKET', type: 'CLIP' },
    clip2: { kind: 'SOCKET', type: 'CLIP' },
    ratio: { kind: 'FLOAT', default: 1, min: 0, max: 1, step: 0.01 },
  },
  outputs: [{ type: 'CLIP', name: 'CLIP' }],
  estimate: ({ clip1 }) => mergeMemory(clip1),
  run: ({ clip1, clip2, ratio }, ctx) => ({
    outputs: [mergeClips(clip1, clip2, ratio, 1 - ratio, patchedModelsDir(ctx.env))],
  }),
});
