import { defineNode, type InputValues } from '../contract/node-definition.js';
import { betaSigmas } from '../runtime/sampling/schedulers.js';
import { modelInput } from './sampler-inputs.js';
import {
  SCHEDULERS_CATEGORY,
  SCHEDULERS_CATEGORY_ZH,
  scheduleStepsInput,
  sigmasResult,
  throwIfProblem,
  widgetProblem,
  zhInputText,
} from './sigma-node-parts.js';

const shape = (tooltip: string) =>
  ({ kind: 'FLOAT', default: 0.6, min: 0, max: 50, step: 0.01, round: false, tooltip }) as const;

const inputs = {
  model: modelInput,
  steps: scheduleStepsInput,
  alpha: shape('Beta distribution α: below 1 crowds the steps at high noise.'),
  beta: shape('Beta distribution β: below 1 crowds the steps at low noise.'),
} as const;

function problem({ alpha, beta }: Partial<InputValues<typeof inputs>>): string | undefined {
  const reason = 'must be above 0 (a Beta distribution needs positive shapes)';
  return widgetProblem('BetaSamplingScheduler', [
    ['alpha', alpha === 0, reason],
    ['beta', beta === 0, reason],
  ]);
}

export const BetaSamplingScheduler = defineNode({
  classType: 'BetaSamplingScheduler',
  displayName: 'BetaSamplingScheduler',
  category: SCHEDULERS_CATEGORY,
  description:
    "The beta scheduler (arXiv 2407.12173): the model's σ table at Beta(α, β) quantiles; α = β = 0.6 puts more steps at both ends.",
  translations: {
    'zh-CN': {
      display_name: 'Beta 采样调度器',
      description: 'Beta 调度器（arXiv 2407.12173）：在 Beta(α, β) 分位点取模型的 σ 表；α = β = 0.6 时两端步数更多。',
      category: SCHEDULERS_CATEGORY_ZH,
      ...zhInputText(
        Object.keys(inputs),
        {},
        {
          alpha: 'Beta 分布的 α：小于 1 时步数集中在高噪声处。',
          beta: 'Beta 分布的 β：小于 1 时步数集中在低噪声处。',
        },
      ),
    },
  },
  inputs,
  outputs: [{ type: 'SIGMAS', name: 'SIGMAS' }],
  validate: problem,
  run: (values) => {
    throwIfProblem(problem(values));
    return sigmasResult(betaSigmas(values.model.sampling, values.steps, values.alpha, values.beta));
  },
});
