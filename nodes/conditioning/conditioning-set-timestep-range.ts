import { defineNode } from '../contract/node-definition.js';
import { setValues } from '../runtime/diffusion/conditioning-ops.js';
import '../runtime/diffusion/types.js';

export const ConditioningSetTimestepRange = defineNode({
  classType: 'ConditioningSetTimestepRange',
  displayName: 'ConditioningSetTimestepRange',
  category: 'advanced/conditioning',
  description:
    'Uses the conditioning only in part of the sampling: from start to end (0 = the first, noisiest step; 1 = the end). Combine two to switch prompts mid-way.',
  translations: {
    'zh-CN': {
      display_name: '条件时间步范围',
      description:
        '只在采样的一段中使用该条件：从 start 到 end（0 为最开始、噪声最大的一步，1 为结束）。合并两个即可中途切换提示词。',
      inputs: { conditioning: '条件', start: '开始', end: '结束' },
    },
  },
  inputs: {
    conditioning: { kind: 'SOCKET', type: 'CONDITIONING' },
    start: { kind: 'FLOAT', default: 0, min: 0, max: 1, step: 0.001 },
    end: { kind: 'FLOAT', default: 1, min: 0, max: 1, step: 0.001 },
  },
  outputs: [{ type: 'CONDITIONING', name: 'CONDITIONING' }],
  run: ({ conditioning, start, end }) => ({
    outputs: [setValues(conditioning, { startPercent: start, endPercent: end })],
  }),
});
