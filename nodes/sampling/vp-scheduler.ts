import { defineNode, type InputValues } from '../contract/node-definition.js';
import { vpSigmas } from '../runtime/sampling/schedulers.js';
import {
  SCHEDULERS_CATEGORY,
  SCHEDULERS_CATEGORY_ZH,
  scheduleStepsInput,
  sigmasResult,
  throwIfProblem,
  widgetProblem,
  zhInputText,
} from './sigma-node-parts.js';

const inputs = {
  steps: scheduleStepsInput,
  beta_d: {
    kind: 'FLOAT',
    default: 19.9,
    min: 0,
    max: 5000,
    step: 0.01,
    round: false,
    tooltip: 'How fast the noise grows with t (β_max − β_min).',
  },
  beta_min: { kind: 'FLOAT', default: 0.1, min: 0, max: 5000, step: 0.01, round: false, tooltip: 'β at t = 0.' },
  eps_s: {
    kind: 'FLOAT',
    default: 0.001,
    min: 0,
    max: 1,
    step: 0.0001,
    round: false,
    tooltip: 'The last t before the final 0.',
  },
} as const;

function problem({ beta_d, beta_min }: Partial<InputValues<typeof inputs>>): string | undefined {
  return widgetProblem('VPScheduler', [
    ['beta_d', beta_d === 0 && beta_min === 0, 'beta_d and beta_min are both 0, so every σ would be 0'],
  ]);
}

export const VPScheduler = defineNode({
  classType: 'VPScheduler',
  displayName: 'VPScheduler',
  category: SCHEDULERS_CATEGORY,
  description: 'The continuous variance-preserving schedule: σ(t) = √(exp(β_d·t²/2 + β_min·t) − 1), t from 1 to eps_s.',
  translations: {
    'zh-CN': {
      display_name: 'VP 调度器',
      description: '连续方差保持（VP）噪声序列：σ(t) = √(exp(β_d·t²/2 + β_min·t) − 1)，t 从 1 降到 eps_s。',
      category: SCHEDULERS_CATEGORY_ZH,
      ...zhInputText(
        Object.keys(inputs),
        {},
        {
          beta_d: '噪声随 t 增长的速度（β_max − β_min）。',
          beta_min: 't = 0 时的 β。',
          eps_s: '最后的 0 之前的 t。',
        },
      ),
    },
  },
  inputs,
  outputs: [{ type: 'SIGMAS', name: 'SIGMAS' }],
  validate: problem,
  run: (values) => {
    throwIfProblem(problem(values));
    return sigmasResult(vpSigmas(values.steps, values.beta_d, values.beta_min, values.eps_s));
  },
});
