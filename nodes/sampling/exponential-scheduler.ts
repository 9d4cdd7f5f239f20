import { defineNode, type InputValues } from '../contract/node-definition.js';
import { exponentialSigmas } from '../runtime/sampling/schedulers.js';
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

const inputs = { steps: scheduleStepsInput, sigma_max: sigmaMaxInput, sigma_min: sigmaMinInput } as const;

function problem({ sigma_max, sigma_min }: Partial<InputValues<typeof inputs>>): string | undefined {
  return widgetProblem('ExponentialScheduler', [
    ['sigma_max', sigma_max === 0, 'must be above 0 (the schedule is spaced in log σ)'],
    ['sigma_min', sigma_min === 0, 'must be above 0 (the schedule is spaced in log σ)'],
  ]);
}

export const ExponentialScheduler = defineNode({
  classType: 'ExponentialScheduler',
  displayName: 'ExponentialScheduler',
  category: SCHEDULERS_CATEGORY,
  description: 'σ_max to σ_min evenly spaced in log σ, then 0.',
  translations: {
    'zh-CN': {
      display_name: '指数调度器',
      description: '从 σ 最大值到 σ 最小值按 log σ 均匀分布，最后为 0。',
      category: SCHEDULERS_CATEGORY_ZH,
      ...zhInputText(Object.keys(inputs)),
    },
  },
  inputs,
  outputs: [{ type: 'SIGMAS', name: 'SIGMAS' }],
  validate: problem,
  run: (values) => {
    throwIfProblem(problem(values));
    return sigmasResult(exponentialSigmas(values.steps, values.sigma_min, values.sigma_max));
  },
});
