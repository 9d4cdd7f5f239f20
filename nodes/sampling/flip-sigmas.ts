import { defineNode } from '../contract/node-definition.js';
import { flipSigmas } from '../runtime/sampling/sigma-lists.js';
import { sigmasInput, sigmasResult, SIGMAS_CATEGORY, SIGMAS_CATEGORY_ZH, zhInputText } from './sigma-node-parts.js';

const inputs = { sigmas: sigmasInput } as const;

export const FlipSigmas = defineNode({
  classType: 'FlipSigmas',
  displayName: 'FlipSigmas',
  category: SIGMAS_CATEGORY,
  description:
    'Reverses a σ list so the noise rises (to turn an image back into noise); a first σ of 0 becomes 0.0001.',
  translations: {
    'zh-CN': {
      display_name: '翻转 σ 序列',
      description: '反转 σ 序列，使噪声逐步升高（把图像还原为噪声）；开头的 0 改为 0.0001。',
      category: SIGMAS_CATEGORY_ZH,
      ...zhInputText(Object.keys(inputs)),
    },
  },
  inputs,
  outputs: [{ type: 'SIGMAS', name: 'SIGMAS' }],
  run: ({ sigmas }) => sigmasResult(flipSigmas(sigmas)),
});
