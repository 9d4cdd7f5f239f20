import { defineNode } from '../contract/node-definition.js';
import {
  etaInput,
  samplerOptionTooltips,
  samplerOptionTranslations,
  samplerOutput,
  sNoiseInput,
} from './custom-sampler-inputs.js';

export const SamplerEulerAncestralCFGPP = defineNode({
  classType: 'SamplerEulerAncestralCFGPP',
  displayName: 'SamplerEulerAncestralCFG++',
  category: 'sampling/samplers',
  description: 'The euler_ancestral_cfg_pp sampler (CFG++) with its eta and s_noise.',
  translations: {
    'zh-CN': {
      display_name: 'Euler 祖先 CFG++ 采样器',
      description: '带 eta 与噪声倍数选项的 euler_ancestral_cfg_pp（CFG++）采样器。',
      inputs: samplerOptionTranslations,
      tooltips: samplerOptionTooltips,
    },
  },
  inputs: { eta: { ...etaInput, max: 1 }, s_noise: { ...sNoiseInput, max: 10 } },
  outputs: samplerOutput,
  run: ({ eta, s_noise }) => ({ outputs: [{ name: 'euler_ancestral_cfg_pp', options: { eta, s_noise } }] }),
});
