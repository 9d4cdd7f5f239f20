import { defineNode } from '../contract/node-definition.js';
import { splitSigmas } from '../runtime/sampling/sigma-lists.js';
import { sigmasInput, SIGMAS_CATEGORY, SIGMAS_CATEGORY_ZH, splitResult, zhInputText } from './sigma-node-parts.js';

const inputs = {
  sigmas: sigmasInput,
  step: { kind: 'INT', default: 0, min: 0, max: 10000, tooltip: 'The step to split at.' },
} as const;

export const SplitSigmas = defineNode({
  classType: 'SplitSigmas',
  displayName: 'SplitSigmas',
  category: SIGMAS_CATEGORY,
  description:
    'Splits a σ list at a step: high_sigmas runs steps 0 to step, low_sigmas the rest (both hold σ at step), for two samplers in turn.',
  translations: {
    'zh-CN': {
      display_name: '拆分 σ 序列',
      description:
        '在某一步拆分 σ 序列：高段运行第 0 步到该步，低段运行其余各步（两段都含该步的 σ），供两个采样器先后使用。',
      category: SIGMAS_CATEGORY_ZH,
      ...zhInputText(Object.keys(inputs), { step: '拆分步' }, { step: '拆分处的步序号。' }),
      outputs: ['高段 σ', '低段 σ'],
    },
  },
  inputs,
  outputs: [
    { type: 'SIGMAS', name: 'high_sigmas' },
    { type: 'SIGMAS', name: 'low_sigmas' },
  ],
  run: ({ sigmas, step }) => {
    const [high, low] = splitSigmas(sigmas, step);
    return splitResult(sigmas, high, low);
  },
});
