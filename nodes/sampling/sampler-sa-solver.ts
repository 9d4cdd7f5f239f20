import { defineNode } from '../contract/node-definition.js';
import { modelInput } from './sampler-inputs.js';
import {
  etaInput,
  samplerOptionTooltips,
  samplerOptionTranslations,
  samplerOutput,
  sNoiseInput,
} from './custom-sampler-inputs.js';

export const SamplerSASolver = defineNode({
  classType: 'SamplerSASolver',
  displayName: 'SamplerSASolver',
  category: 'sampling/samplers',
  description:
    'The sa_solver sampler (stochastic Adams): noise between the start and end percents of the sampling, predictor and corrector orders.',
  translations: {
    'zh-CN': {
      display_name: 'SA-Solver 采样器',
      description: 'sa_solver 采样器（随机 Adams 方法）：在采样的起止百分比之间加噪，可设预测与校正阶数。',
      inputs: {
        ...samplerOptionTranslations,
        model: '模型',
        sde_start_percent: 'SDE 起始百分比',
        sde_end_percent: 'SDE 结束百分比',
        predictor_order: '预测阶数',
        corrector_order: '校正阶数',
        use_pece: '使用 PECE',
        simple_order_2: '简化二阶',
      },
      tooltips: {
        ...samplerOptionTooltips,
        sde_start_percent: '从采样的这一比例起加入随机噪声。',
        sde_end_percent: '到采样的这一比例为止加入随机噪声。',
        predictor_order: '预测步用到之前多少步。',
        corrector_order: '校正步用到之前多少步（0 为不校正）。',
        use_pece: '校正后再评估一次模型（PECE 模式）。',
        simple_order_2: '二阶时使用简化系数。',
      },
    },
  },
  inputs: {
    model: modelInput,
    eta: { ...etaInput, max: 10 },
    sde_start_percent: {
      kind: 'FLOAT',
      default: 0.2,
      min: 0,
      max: 1,
      step: 0.001,
      tooltip: 'Stochastic noise is added from this fraction of the sampling on.',
    },
    sde_end_percent: {
      kind: 'FLOAT',
      default: 0.8,
      min: 0,
      max: 1,
      step: 0.001,
      tooltip: 'Stochastic noise is added up to this fraction of the sampling.',
    },
    s_noise: sNoiseInput,
    predictor_order: { kind: 'INT', default: 3, min: 1, max: 6, tooltip: 'How many earlier steps the predictor uses.' },
    corrector_order: {
      kind: 'INT',
      default: 4,
      min: 0,
      max: 6,
      tooltip: 'How many earlier steps the corrector uses (0: no correction).',
    },
    use_pece: { kind: 'BOOLEAN', default: false, tooltip: 'Evaluate the model again after correcting (PECE mode).' },
    simple_order_2: { kind: 'BOOLEAN', default: false, tooltip: 'Simplified coefficients at order 2.' },
  },
  outputs: samplerOutput,
  validate: ({ sde_start_percent, sde_end_percent }) =>
    sde_start_percent !== undefined && sde_end_percent !== undefined && sde_start_percent > sde_end_percent
      ? `sde_start_percent (${sde_start_percent}) is after sde_end_percent (${sde_end_percent})`
      : undefined,
  run: ({
    model,
    eta,
    sde_start_percent,
    sde_end_percent,
    s_noise,
    predictor_order,
    corrector_order,
    use_pece,
    simple_order_2,
  }) => ({
    outputs: [
      {
        name: 'sa_solver',
        options: {
          // The noise window as σ values of this model (ComfyUI's get_tau_interval_func from percent_to_sigma).
          eta,
          sde_start_sigma: model.sampling.percentToSigma(sde_start_percent),
          sde_end_sigma: model.sampling.percentToSigma(sde_end_percent),
          s_noise,
          predictor_order,
          corrector_order,
          use_pece,
          simple_order_2,
        },
      },
    ],
  }),
});
