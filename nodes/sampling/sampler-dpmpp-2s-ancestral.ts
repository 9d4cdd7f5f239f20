import { defineNode } from '../contract/node-definition.js';
import {
  etaInput,
  samplerOptionTooltips,
  samplerOptionTranslations,
  samplerOutput,
  sNoiseInput,
} from './custom-sampler-inputs.js';

export const SamplerDPMPP_2S_Ancestral = defineNode({
  classType: 'SamplerDPMPP_2S_Ancestral',
  displayName: 'SamplerDPMPP_2S_Ancestral',
  category: 'sampling/samplers',
  description: 'The dpmpp_2s_ancestral sampler with its eta and s_noise.',
  translations: {
    'zh-CN': {
      display_name: 'DPM++ 2S 祖先采样器',
      description: '带 eta 与噪声倍数选项的 dpmpp_2s_ancestral 采样器。',
      inputs: samplerOptionTranslations,
      tooltips: samplerOptionTooltips,
    },
  },
  inputs: { eta: etaInput, s_noise: sNoiseInput },
  outputs: samplerOutput,
  run: ({ eta, s_noise }) => ({ outputs: [{ name: 'dpmpp_2s_ancestral', options: { eta, s_noise } }] }),
});
