import { defineNode } from '../contract/node-definition.js';
import {
  etaInput,
  samplerOptionTooltips,
  samplerOptionTranslations,
  samplerOutput,
  sNoiseInput,
} from './custom-sampler-inputs.js';

export const SamplerEulerAncestral = defineNode({
  classType: 'SamplerEulerAncestral',
  displayName: 'SamplerEulerAncestral',
  category: 'sampling/samplers',
  description: 'The euler_ancestral sampler with its eta and s_noise.',
  translations: {
    'zh-CN': {
      display_name: 'Euler 祖先采样器',
      description: '带 eta 与噪声倍数选项的 euler_ancestral 采样器。',
      inputs: samplerOptionTranslations,
      tooltips: samplerOptionTooltips,
    },
  },
  inputs: { eta: etaInput, s_noise: sNoiseInput },
  outputs: samplerOutput,
  run: ({ eta, s_noise }) => ({ outputs: [{ name: 'euler_ancestral', options: { eta, s_noise } }] }),
});
