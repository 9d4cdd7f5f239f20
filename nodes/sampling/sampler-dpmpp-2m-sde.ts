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

export const SamplerDPMPP_2M_SDE = defineNode({
  classType: 'SamplerDPMPP_2M_SDE',
  displayName: 'SamplerDPMPP_2M_SDE',
  category: 'sampling/samplers',
  description: 'The dpmpp_2m_sde sampler with its solver type (midpoint or heun), eta, s_noise and noise device.',
  translations: {
    'zh-CN': {
      display_name: 'DPM++ 2M SDE 采样器',
      description: '带求解器类型（midpoint 或 heun）、eta、噪声倍数与噪声设备选项的 dpmpp_2m_sde 采样器。',
      inputs: samplerOptionTranslations,
      tooltips: { ...samplerOptionTooltips, noise_device: noiseDeviceTooltip, solver_type: '二阶修正的方式。' },
    },
  },
  inputs: {
    solver_type: { kind: 'COMBO', options: ['midpoint', 'heun'], tooltip: 'How the second-order correction is made.' },
    eta: etaInput,
    s_noise: sNoiseInput,
    noise_device: noiseDeviceInput,
  },
  outputs: samplerOutput,
  run: ({ solver_type, eta, s_noise, noise_device }) => ({
    outputs: [
      { name: noise_device === 'cpu' ? 'dpmpp_2m_sde' : 'dpmpp_2m_sde_gpu', options: { eta, s_noise, solver_type } },
    ],
  }),
});
