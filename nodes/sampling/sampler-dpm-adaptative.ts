import { defineNode, type FloatInput } from '../contract/node-definition.js';
import {
  samplerOptionTooltips,
  samplerOptionTranslations,
  samplerOutput,
  sNoiseInput,
} from './custom-sampler-inputs.js';

const option = (value: number, tooltip: string): FloatInput => ({
  kind: 'FLOAT',
  default: value,
  min: 0,
  max: 100,
  step: 0.01,
  round: false,
  tooltip,
});

export const SamplerDPMAdaptative = defineNode({
  classType: 'SamplerDPMAdaptative',
  displayName: 'SamplerDPMAdaptative',
  category: 'sampling/samplers',
  description:
    'The dpm_adaptive sampler, which picks its own step sizes between the first and last σ to an error tolerance.',
  translations: {
    'zh-CN': {
      display_name: 'DPM 自适应采样器',
      description: 'dpm_adaptive 采样器：在首末 σ 之间按误差容限自行选择步长。',
      inputs: {
        ...samplerOptionTranslations,
        rtol: '相对容差',
        atol: '绝对容差',
        h_init: '初始步长',
        pcoeff: 'P 系数',
        icoeff: 'I 系数',
        dcoeff: 'D 系数',
        accept_safety: '接受安全系数',
      },
      tooltips: {
        ...samplerOptionTooltips,
        order: '求解器阶数（2 或 3）。',
        rtol: '每一步可接受的相对误差。',
        atol: '每一步可接受的绝对误差。',
        h_init: '第一步的步长（对数 σ）。',
        pcoeff: '步长控制器的比例系数。',
        icoeff: '步长控制器的积分系数。',
        dcoeff: '步长控制器的微分系数。',
        accept_safety: '接受一步所需的误差比例上限。',
      },
    },
  },
  inputs: {
    order: { kind: 'INT', default: 3, min: 2, max: 3, tooltip: 'The solver order (2 or 3).' },
    rtol: option(0.05, 'The relative error a step may make.'),
    atol: option(0.0078, 'The absolute error a step may make.'),
    h_init: option(0.05, 'The first step size, in log σ.'),
    pcoeff: option(0, "The step-size controller's proportional coefficient."),
    icoeff: option(1, "The step-size controller's integral coefficient."),
    dcoeff: option(0, "The step-size controller's derivative coefficient."),
    accept_safety: option(0.81, 'The error ratio under which a step is accepted.'),
    eta: option(0, 'How much fresh noise each step adds (0: none).'),
    s_noise: sNoiseInput,
  },
  outputs: samplerOutput,
  run: (options) => ({ outputs: [{ name: 'dpm_adaptive', options: { ...options } }] }),
});
