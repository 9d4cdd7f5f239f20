import { defineNode } from '../contract/node-definition.js';
import {
  etaInput,
  samplerOptionTooltips,
  samplerOptionTranslations,
  samplerOutput,
  sNoiseInput,
} from './custom-sampler-inputs.js';

export const SamplerER_SDE = defineNode({
  classType: 'SamplerER_SDE',
  displayName: 'SamplerER_SDE',
  category: 'sampling/samplers',
  description:
    'The er_sde sampler (extended reverse-time SDE): ER-SDE noise scaling, a reverse-time SDE with its eta, or the ODE.',
  translations: {
    'zh-CN': {
      display_name: 'ER-SDE 采样器',
      description: 'er_sde 采样器（扩展逆时 SDE）：ER-SDE 噪声缩放、带 eta 的逆时 SDE，或 ODE。',
      inputs: { ...samplerOptionTranslations, max_stage: '最高阶段' },
      tooltips: {
        ...samplerOptionTooltips,
        solver_type: 'ER-SDE、逆时 SDE 或确定性的 ODE。',
        max_stage: '每一步最多用到几阶。',
        eta: '逆时 SDE 的随机强度；为 0 时即 ODE。对 ER-SDE 类型无效。',
      },
    },
  },
  inputs: {
    solver_type: {
      kind: 'COMBO',
      options: ['ER-SDE', 'Reverse-time SDE', 'ODE'],
      tooltip: 'ER-SDE, a reverse-time SDE, or the deterministic ODE.',
    },
    max_stage: { kind: 'INT', default: 3, min: 1, max: 3, tooltip: 'The highest stage a step uses.' },
    eta: {
      ...etaInput,
      tooltip:
        "Stochastic strength of reverse-time SDE. When eta=0, it reduces to deterministic ODE. This setting doesn't apply to ER-SDE solver type.",
    },
    s_noise: sNoiseInput,
  },
  outputs: samplerOutput,
  run: ({ solver_type, max_stage, eta, s_noise }) => {
    // As ComfyUI: the ODE (or a reverse-time SDE at eta 0) adds no noise; ER-SDE takes the sampler's own noise
    // scaler, so eta is not passed to it; a reverse-time SDE scales the noise by x^(eta + 1).
    if (solver_type === 'ODE' || (solver_type === 'Reverse-time SDE' && eta === 0))
      return { outputs: [{ name: 'er_sde', options: { solver_type: 'ODE', max_stage, eta: 0, s_noise: 0 } }] };
    if (solver_type === 'ER-SDE')
      return { outputs: [{ name: 'er_sde', options: { solver_type, max_stage, s_noise } }] };
    return { outputs: [{ name: 'er_sde', options: { solver_type, max_stage, eta, s_noise } }] };
  },
});
