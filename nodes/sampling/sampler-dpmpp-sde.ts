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

export const SamplerDPMPP_SDE = defineNode({
  classType: 'SamplerDPMPP_SDE',
  displayName: 'SamplerDPMPP_SDE',
  category: 'sampling/samplers',
  description: 'The dpmpp_sde sampler with its eta, s_noise, r and noise device.',
  translations: {
    'zh-CN': {
      display_name: 'DPM++ SDE 采样器',
      description: '带 eta、噪声倍数、r 与噪声设备选项的 dpmpp_sde 采样器。',
      inputs: samplerOptionTranslations,
      tooltips: {
        ...samplerOptionTooltips,
        noise_device: noiseDeviceTooltip,
        r: '中间一步落在这一步的什么位置（对数 σ 的比例）。',
      },
    },
  },
  inputs: {
    eta: etaInput,
    s_noise: sNoiseInput,
    r: {
      kind: 'FLOAT',
      default: 0.5,
      min: 0,
      max: 100,
      step: 0.01,
      round: false,
      tooltip: 'Where the intermediate stage lies within the step (a fraction of its log σ).',
    },
    noise_device: noiseDeviceInput,
  },
  outputs: samplerOutput,
  run: ({ eta, s_noise, r, noise_device }) => ({
    outputs: [{ name: noise_device === 'cpu' ? 'dpmpp_sde' : 'dpmpp_sde_gpu', options: { eta, s_noise, r } }],
  }),
});
