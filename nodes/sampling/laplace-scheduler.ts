import { defineNode, type InputValues } from '../contract/node-definition.js';
import { laplaceSigmas } from '../runtime/sampling/schedulers.js';
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
  steps: {
    ...scheduleStepsInput,
    tooltip: 'The number of σ in the list: it ends at σ_min without a final 0, so a sampler runs one step fewer.',
  },
  sigma_max: sigmaMaxInput,
  sigma_min: sigmaMinInput,
  mu: {
    kind: 'FLOAT',
    default: 0,
    min: -10,
    max: 10,
    step: 0.1,
    round: false,
    tooltip: 'The centre of the Laplace distribution in log σ: where along the schedule the steps crowd.',
  },
  beta: {
    kind: 'FLOAT',
    default: 0.5,
    min: 0,
    max: 10,
    step: 0.1,
    round: false,
    tooltip: 'The spread of the distribution: smaller crowds more steps near e^μ.',
  },
} as const;

function problem({ sigma_max }: Partial<InputValues<typeof inputs>>): string | undefined {
  // The list is clamped to σ_max, so every σ would be 0 and the sampler would divide by it.
  return widgetProblem('LaplaceScheduler', [['sigma_max', sigma_max === 0, 'must be above 0 (every σ would be 0)']]);
}

export const LaplaceScheduler = defineNode({
  classType: 'LaplaceScheduler',
  displayName: 'LaplaceScheduler',
  category: SCHEDULERS_CATEGORY,
  description:
    'σ from σ_max to σ_min spaced by a Laplace distribution in log σ (Tiankai et al. 2024), steps crowded near e^μ; as in ComfyUI, no final 0.',
  translations: {
    'zh-CN': {
      display_name: '拉普拉斯调度器',
      description:
        '从 σ 最大值到 σ 最小值，在 log σ 上按拉普拉斯分布分布各步（Tiankai 等，2024），步数集中在 e^μ 附近；与 ComfyUI 一样，末尾没有 0。',
      category: SCHEDULERS_CATEGORY_ZH,
      ...zhInputText(
        Object.keys(inputs),
        { mu: 'μ', beta: 'β' },
        {
          steps: '序列中 σ 的个数：序列止于 σ 最小值，末尾没有 0，所以采样器少运行一步。',
          mu: 'log σ 上拉普拉斯分布的中心：各步在序列中集中的位置。',
          beta: '分布的宽度：越小，越多的步集中在 e^μ 附近。',
        },
      ),
    },
  },
  inputs,
  outputs: [{ type: 'SIGMAS', name: 'SIGMAS' }],
  validate: problem,
  run: (values) => {
    throwIfProblem(problem(values));
    return sigmasResult(laplaceSigmas(values.steps, values.sigma_min, values.sigma_max, values.mu, values.beta));
  },
});
