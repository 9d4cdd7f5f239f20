import { defineNode } from '../contract/node-definition.js';
import {
  etaInput,
  noiseDeviceInput,
  noiseDeviceTooltip,
  samplerOptionTooltips,
  samplerOptionTranslations,
  samplerOutput,
  sNoiseInput,
} from './custom-sampler-inputs.js';

export const SamplerDPMPP_3M_SDE = defineNode({
  classType: 'SamplerDPMPP_3M_SDE',
  displayName: 'SamplerDPMPP_3M_SDE',
  category: 'sampling/samplers',
  description: 'The dpmpp_3m_sde sampler with its eta, s_noise and noise device.',
  translations: {
    'zh-CN': {
      display_name: 'DPM++ 3M SDE 采样器',
      description: '带 eta、噪声倍数与噪声设备选项的 dpmpp_3m_sde 采样器。',
      inputs: samplerOptionTranslations,
      tooltips: { ...samplerOptionTooltips, noise_device: noiseDeviceTooltip },
    },
  },
  inputs: { eta: etaInput, s_noise: sNoiseInput, noise_device: noiseDeviceInput },
  outputs: samplerOutput,
  run: ({ eta, s_noise, noise_device }) => ({
    outputs: [{ name: noise_device === 'cpu' ? 'dpmpp_3m_sde' : 'dpmpp_3m_sde_gpu', options: { eta, s_noise } }],
  }),
});
