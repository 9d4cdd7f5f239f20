import { defineNode, type InputValues } from '../contract/node-definition.js';
import { karrasSigmas } from '../runtime/sampling/schedulers.js';
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
    default: 7,
    min: 0,
    max: 100,
    step: 0.01,
    round: false,
    tooltip: 'Higher ρ spends more steps at low noise.',
  },
} as const;

function problem({ rho }: Partial<InputValues<typeof inputs>>): string | undefined {
  return widgetProblem('KarrasScheduler', [['rho', rho === 0, 'must be above 0 (the schedule is spaced in σ^(1/ρ))']]);
}

export const KarrasScheduler = defineNode({
  classType: 'KarrasScheduler',
  displayName: 'KarrasScheduler',
  category: SCHEDULERS_CATEGORY,
  description: 'The schedule of Karras et al. (2022): σ_max to σ_min evenly spaced in σ^(1/ρ), then 0.',
  translations: {
    'zh-CN': {
      display_name: 'Karras 调度器',
      description: 'Karras 等人（2022）的噪声序列：从 σ 最大值到 σ 最小值按 σ^(1/ρ) 均匀分布，最后为 0。',
      category: SCHEDULERS_CATEGORY_ZH,
      ...zhInputText(Object.keys(inputs), {}, { rho: 'ρ 越大，低噪声处的步数越多。' }),
    },
  },
  inputs,
  outputs: [{ type: 'SIGMAS', name: 'SIGMAS' }],
  validate: problem,
  run: (values) => {
    throwIfProblem(problem(values));
    return sigmasResult(karrasSigmas(values.steps, values.sigma_min, values.sigma_max, values.rho));
  },
});
