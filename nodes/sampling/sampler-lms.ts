import { defineNode } from '../contract/node-definition.js';
import { samplerOptionTranslations, samplerOutput } from './custom-sampler-inputs.js';

export const SamplerLMS = defineNode({
  classType: 'SamplerLMS',
  displayName: 'SamplerLMS',
  category: 'sampling/samplers',
  description: 'The lms (linear multistep) sampler with its order.',
  translations: {
    'zh-CN': {
      display_name: 'LMS 采样器',
      description: '可设阶数的 lms（线性多步）采样器。',
      inputs: samplerOptionTranslations,
      tooltips: { order: '用到之前多少步的估计。' },
    },
  },
  inputs: {
    order: { kind: 'INT', default: 4, min: 1, max: 100, tooltip: 'How many earlier steps each step uses.' },
  },
  outputs: samplerOutput,
  run: ({ order }) => ({ outputs: [{ name: 'lms', options: { order } }] }),
});
