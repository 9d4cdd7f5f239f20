import { defineNode } from '../contract/node-definition.js';
import { basicSchedulerSigmas } from '../runtime/sampling/schedulers.js';
import { modelInput, schedulerInput } from './sampler-inputs.js';
import {
  denoiseInput,
  SCHEDULERS_CATEGORY,
  SCHEDULERS_CATEGORY_ZH,
  scheduleStepsInput,
  sigmasResult,
  zhInputText,
} from './sigma-node-parts.js';

const inputs = {
  model: modelInput,
  scheduler: schedulerInput,
  steps: scheduleStepsInput,
  denoise: denoiseInput,
} as const;

export const BasicScheduler = defineNode({
  classType: 'BasicScheduler',
  displayName: 'BasicScheduler',
  category: SCHEDULERS_CATEGORY,
  description:
    "The σ list a KSampler would run, from the model's noise schedule and a scheduler, for SamplerCustom and the σ nodes.",
  translations: {
    'zh-CN': {
      display_name: '基础调度器',
      description: '按模型的噪声表和调度器生成 K 采样器会使用的 σ 序列，供自定义采样器和 σ 节点使用。',
      category: SCHEDULERS_CATEGORY_ZH,
      ...zhInputText(Object.keys(inputs), {}, { scheduler: '噪声水平在各步之间如何分布。' }),
    },
  },
  inputs,
  outputs: [{ type: 'SIGMAS', name: 'SIGMAS' }],
  run: ({ model, scheduler, steps, denoise }) =>
    sigmasResult(basicSchedulerSigmas(model.sampling, scheduler, steps, denoise)),
});
