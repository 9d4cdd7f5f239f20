import { defineNode } from '../contract/node-definition.js';
import { setFirstSigma } from '../runtime/sampling/sigma-lists.js';
import {
  sigmasInput,
  sigmasResult,
  SIGMAS_CATEGORY,
  SIGMAS_CATEGORY_ZH,
  throwIfProblem,
  widgetProblem,
  zhInputText,
} from './sigma-node-parts.js';

const inputs = {
  sigmas: sigmasInput,
  sigma: {
    kind: 'FLOAT',
    default: 136,
    min: 0,
    max: 20000,
    step: 0.001,
    round: false,
    tooltip: 'The σ the list starts at instead of its own first one.',
  },
} as const;

export const SetFirstSigma = defineNode({
  classType: 'SetFirstSigma',
  displayName: 'SetFirstSigma',
  category: SIGMAS_CATEGORY,
  description:
    'Replaces the first σ of a list, e.g. to start a sampler from more noise than the schedule gives; the rest stays.',
  translations: {
    'zh-CN': {
      display_name: '设置首个 σ',
      description: '替换 σ 序列的第一个值，例如让采样器从比调度更高的噪声开始；其余不变。',
      category: SIGMAS_CATEGORY_ZH,
      ...zhInputText(Object.keys(inputs), { sigma: '首个 σ' }, { sigma: '序列开头改用的 σ，取代原来的第一个。' }),
    },
  },
  inputs,
  outputs: [{ type: 'SIGMAS', name: 'SIGMAS' }],
  run: ({ sigmas, sigma }) => {
    // ComfyUI fails on an empty list with an index error; say which input it was.
    throwIfProblem(widgetProblem('SetFirstSigma', [['sigmas', sigmas.length === 0, 'the list is empty: no first σ']]));
    return sigmasResult(setFirstSigma(sigmas, sigma));
  },
});
