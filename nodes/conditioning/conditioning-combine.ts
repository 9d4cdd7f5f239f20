import { defineNode } from '../contract/node-definition.js';
import '../runtime/diffusion/types.js';

export const ConditioningCombine = defineNode({
  classType: 'ConditioningCombine',
  displayName: 'Conditioning (Combine)',
  category: 'conditioning',
  description:
    "Puts both conditionings' entries in one list: the sampler runs each and averages their estimates (each on its own area, with its own weight).",
  translations: {
    'zh-CN': {
      display_name: '条件（合并）',
      description: '把两组条件的条目放进一个列表：采样器分别运行并平均它们的估计（各按自己的区域和权重）。',
      inputs: { conditioning_1: '条件 1', conditioning_2: '条件 2' },
    },
  },
  inputs: {
    conditioning_1: { kind: 'SOCKET', type: 'CONDITIONING' },
    conditioning_2: { kind: 'SOCKET', type: 'CONDITIONING' },
  },
  outputs: [{ type: 'CONDITIONING', name: 'CONDITIONING' }],
  run: ({ conditioning_1, conditioning_2 }) => ({ outputs: [[...conditioning_1, ...conditioning_2]] }),
});
