import { defineNode } from '../contract/node-definition.js';
import {
  etaInput,
  samplerOptionTooltips,
  samplerOptionTranslations,
  samplerOutput,
  sNoiseInput,
} from './custom-sampler-inputs.js';

export const SamplerSEEDS2 = defineNode({
  classType: 'SamplerSEEDS2',
  displayName: 'SamplerSEEDS2',
  category: 'sampling/samplers',
  description:
    'The seeds_2 sampler. It can also act as exp_heun_2_x0 (solver_type phi_2, r 1, eta 0) and exp_heun_2_x0_sde (phi_2, r 1, eta 1).',
  translations: {
    'zh-CN': {
      display_name: 'SEEDS-2 采样器',
      description:
        'seeds_2 采样器。也可充当 exp_heun_2_x0（solver_type 为 phi_2、r 为 1、eta 为 0）与 exp_heun_2_x0_sde（phi_2、r 为 1、eta 为 1）。',
      inputs: samplerOptionTranslations,
      tooltips: {
        ...samplerOptionTooltips,
        solver_type: '中间阶段的指数积分公式。',
        r: '中间阶段（c2 节点）的相对步长。',
      },
    },
  },
  inputs: {
    solver_type: {
      kind: 'COMBO',
      options: ['phi_1', 'phi_2'],
      tooltip: "The intermediate stage's exponential formula.",
    },
    eta: { ...etaInput, tooltip: 'Stochastic strength' },
    s_noise: { ...sNoiseInput, tooltip: 'SDE noise multiplier' },
    r: {
      kind: 'FLOAT',
      default: 0.5,
      min: 0.01,
      max: 1,
      step: 0.01,
      round: false,
      tooltip: 'Relative step size for the intermediate stage (c2 node)',
    },
  },
  outputs: samplerOutput,
  run: ({ solver_type, eta, s_noise, r }) => ({
    outputs: [{ name: 'seeds_2', options: { eta, s_noise, r, solver_type } }],
  }),
});
