import { patchedModelsDir } from '../runtime/diffusion/patched-model.js';
import { defineNode } from '../contract/node-definition.js';
import { mergeClips } from '../runtime/diffusion/model-merge.js';
import { mergeMemory } from '../runtime/diffusion/memory-estimates.js';
import '../runtime/diffusion/types.js';

/** ComfyUI's CLIPSubtract (shown as CLIPMergeSubtract): multiplier × (clip1 − clip2), as its add_patches does. */
export const CLIPMergeSubtract = defineNode({
  classType: 'CLIPMergeSubtract',
  displayName: 'CLIPMergeSubtract',
  category: 'advanced/model_merging',
  description:
    "Subtracts clip2's text encoder weights from clip1's: every weight becomes multiplier × (clip1's − clip2's), as in ComfyUI.",
  translations: {
    'zh-CN': {
      display_name: 'CLIP 相减',
      description:
        '从 CLIP1 的文本编码器权重中减去 CLIP2 的：每个权重为 multiplier × (CLIP1 − CLIP2)，与 ComfyUI 相同。',
      inputs: { clip1: 'CLIP1', clip2: 'CLIP2', multiplier: '倍数' },
    },
  },
  inputs: {
    clip1: { kind: 'SOCKET', type: 'CLIP' },
    clip2: { kind: 'SOCKET', type: 'CLIP' },
    multiplier: { kind: 'FLOAT', default: 1, min: -10, max: 10, step: 0.01 },
  },
  outputs: [{ type: 'CLIP', name: 'CLIP' }],
  estimate: ({ clip1 }) => mergeMemory(clip1),
  run: ({ clip1, clip2, multiplier }, ctx) => ({
    outputs: [mergeClips(clip1, clip2, multiplier, -multiplier, patchedModelsDir(ctx.env))],
  }),
});
