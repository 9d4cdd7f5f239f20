import { defineNode } from '../contract/node-definition.js';
import { splitSigmasDenoise } from '../runtime/sampling/sigma-lists.js';
import { sigmasInput, SIGMAS_CATEGORY, SIGMAS_CATEGORY_ZH, splitResult, zhInputText } from './sigma-node-parts.js';

const inputs = {
  sigmas: sigmasInput,
  denoise: {
    kind: 'FLOAT',
    default: 1,
    min: 0,
    max: 1,
    step: 0.01,
    tooltip: 'The share of the steps that goes to low_sigmas.',
  },
} as const;

export const SplitSigmasDenoise = defineNode({
  classType: 'SplitSigmasDenoise',
  displayName: 'SplitSigmasDenoise',
  category: SIGMAS_CATEGORY,
  description:
    'Splits a σ list so low_sigmas holds the last steps·denoise steps (rounded) and high_sigmas the steps before them.',
  translations: {
    'zh-CN': {
      display_name: '按降噪拆分 σ 序列',
      description: '拆分 σ 序列：低段含最后 步数×降噪（取整）步，高段含其前的各步。',
      category: SIGMAS_CATEGORY_ZH,
      ...zhInputText(Object.keys(inputs), {}, { denoise: '低段所占的步数比例。' }),
      outputs: ['高段 σ', '低段 σ'],
    },
  },
  inputs,
  outputs: [
    { type: 'SIGMAS', name: 'high_sigmas' },
    { type: 'SIGMAS', name: 'low_sigmas' },
  ],
  run: ({ sigmas, denoise }) => {
    const [high, low] = splitSigmasDenoise(sigmas, denoise);
    return splitResult(sigmas, high, low);
  },
});
