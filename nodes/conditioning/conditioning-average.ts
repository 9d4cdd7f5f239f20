import { defineNode } from '../contract/node-definition.js';
import { averageConditioning } from '../runtime/diffusion/conditioning-ops.js';
import '../runtime/diffusion/types.js';

export const ConditioningAverage = defineNode({
  classType: 'ConditioningAverage',
  displayName: 'Conditioning (Average)',
  category: 'conditioning',
  description:
    "Mixes each entry of conditioning_to with the first of conditioning_from: to × strength + from × (1 − strength), token by token (from cut or padded with zeros to to's length).",
  translations: {
    'zh-CN': {
      display_name: '条件（平均）',
      description:
        '把 conditioning_to 的每个条目与 conditioning_from 的第一个条目逐词元混合：目标 × 强度 + 来源 × (1 − 强度)。',
      inputs: { conditioning_to: '目标条件', conditioning_from: '来源条件', conditioning_to_strength: '目标强度' },
    },
  },
  inputs: {
    conditioning_to: { kind: 'SOCKET', type: 'CONDITIONING' },
    conditioning_from: { kind: 'SOCKET', type: 'CONDITIONING' },
    conditioning_to_strength: { kind: 'FLOAT', default: 1, min: 0, max: 1, step: 0.01 },
  },
  outputs: [{ type: 'CONDITIONING', name: 'CONDITIONING' }],
  run: ({ conditioning_to, conditioning_from, conditioning_to_strength }) => ({
    outputs: [averageConditioning(conditioning_to, conditioning_from, conditioning_to_strength)],
  }),
});
