import { patchedModelsDir } from '../runtime/diffusion/patched-model.js';
import { defineNode } from '../contract/node-definition.js';
import { mergeClips } from '../runtime/diffusion/model-merge.js';
import { mergeMemory } from '../runtime/diffusion/memory-estimates.js';
import '../runtime/diffusion/types.js';

export const CLIPMergeAdd = defineNode({
  classType: 'CLIPMergeAdd',
  displayName: 'CLIPMergeAdd',
  category: 'advanced/model_merging',
  description: "Adds clip2's text encoder weights to clip1's (CLIPs exported from the same graph).",
  translations: {
    'zh-CN': {
      display_name: 'CLIP 相加',
      description: '把 CLIP2 的文本编码器权重加到 CLIP1 上（两者须由同一计算图导出）。',
      inputs: { clip1: 'CLIP1', clip2: 'CLIP2' },
    },
  },
  inputs: {
    clip1: { kind: 'SOCKET', type: 'CLIP' },
    clip2: { kind: 'SOCKET', type: 'CLIP' },
  },
  outputs: [{ type: 'CLIP', name: 'CLIP' }],
  estimate: ({ clip1 }) => mergeMemory(clip1),
  run: ({ clip1, clip2 }, ctx) => ({ outputs: [mergeClips(clip1, clip2, 1, 1, patchedModelsDir(ctx.env))] }),
});
