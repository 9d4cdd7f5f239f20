import { defineNode, type InputValues } from '../contract/node-definition.js';
import { polyexponentialSigmas } from '../runtime/sampling/schedulers.js';
import {
  SCHEDULERS_CATEGORY,
  SCHEDULERS_CATEGORY_ZH,
  scheduleStepsInput,
  sigmaMaxInput,
  sigmaMinInput,
  sigmasResult,
  throwIfProblem,
  widgetProblem,
  zhInputText,
} from './sigma-node-parts.js';

const inputs = {
  steps: scheduleStepsInput,
  sigma_max: sigmaMaxInput,
  sigma_min: sigmaMinInput,
  rho: {
    kind: 'FLOAT',
    default: 1,
    min: 0,
    max: 100,
    step: 0.01,
    round: false,
    tooltip: 'The power of the ramp in log σ: 1 is the exponential schedule, higher spends more steps at low noise.',
  },
} as const;

function problem({ sigma_max, sigma_min }: Partial<InputValues<typeof inputs>>): string | undefined {
  return widgetProblem('PolyexponentialScheduler', [
    ['sigma_max', sigma_max === 0, 'must be above 0 (the schedule is spaced in log σ)'],
    ['sigma_min', sigma_min === 0, 'must be above 0 (the schedule is spaced in log σ)'],
  ]);
}

export const PolyexponentialScheduler = defineNode({
  classType: 'PolyexponentialScheduler',
  displayName: 'PolyexponentialScheduler',
  category: SCHEDULERS_CATEGORY,
  description: 'σ_max to σ_min along a polynomial ramp (power ρ) in log σ, then 0.',
  translations: {
    'zh-CN': {
      display_name: '多项式指数调度器',
      description: '从 σ 最大值到 σ 最小值，在 log σ 上按 ρ 次多项式变化，最后为 0。',
      category: SCHEDULERS_CATEGORY_ZH,
      ...zhInputText(Object.keys(inputs), {}, { rho: 'log σ 上斜坡的幂：1 即指数调度，越大低噪声处步数越多。' }),
    },
  },
  inputs,
  outputs: [{ type: 'SIGMAS', name: 'SIGMAS' }],
  validate: problem,
  run: (values) => {
    throwIfProblem(problem(values));
    return sigmasResult(polyexponentialSigmas(values.steps, values.sigma_min, values.sigma_max, values.rho));
  },
});
