import { defineNode } from '../contract/node-definition.js';
import { concatConditioning } from '../runtime/diffusion/conditioning-ops.js';
import '../runtime/diffusion/types.js';

export const ConditioningConcat = defineNode({
  classType: 'ConditioningConcat',
  displayName: 'Conditioning (Concat)',
  category: 'conditioning',
  description:
    "Appends the first entry of conditioning_from's tokens to each entry of conditioning_to (like a longer prompt, but each part encoded on its own).",
  translations: {
    'zh-CN': {
      display_name: '条件（拼接）',
      description:
        '把 conditioning_from 第一个条目的词元接到 conditioning_to 每个条目之后（像更长的提示词，但各部分单独编码）。',
      inputs: { conditioning_to: '目标条件', conditioning_from: '来源条件' },
    },
  },
  inputs: {
    conditioning_to: { kind: 'SOCKET', type: 'CONDITIONING' },
    conditioning_from: { kind: 'SOCKET', type: 'CONDITIONING' },
  },
  outputs: [{ type: 'CONDITIONING', name: 'CONDITIONING' }],
  run: ({ conditioning_to, conditioning_from }) => ({
    outputs: [concatConditioning(conditioning_to, conditioning_from)],
  }),
});
