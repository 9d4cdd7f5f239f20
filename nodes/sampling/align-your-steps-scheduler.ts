import { defineNode } from '../contract/node-definition.js';
import { alignYourStepsModels, alignYourStepsSigmas } from '../runtime/sampling/align-your-steps.js';
import { denoiseInput, sigmasResult, zhInputText } from './sigma-node-parts.js';

const inputs = {
  model_type: {
    kind: 'COMBO',
    options: alignYourStepsModels,
    tooltip: 'The model family the schedule was tuned for.',
  },
  steps: { kind: 'INT', default: 10, min: 1, max: 10000, tooltip: 'The number of steps: the list has one σ more.' },
  denoise: denoiseInput,
} as const;

export const AlignYourStepsScheduler = defineNode({
  classType: 'AlignYourStepsScheduler',
  displayName: 'AlignYourStepsScheduler',
  // As ComfyUI files it (its other schedulers moved to sampling/schedulers; this one did not).
  category: 'sampling/custom_sampling/schedulers',
  description:
    "NVIDIA's Align Your Steps: ten steps optimised for SD 1.x, SDXL or SVD, stretched to other step counts in log σ.",
  translations: {
    'zh-CN': {
      display_name: 'AYS 调度器（对齐步长）',
      description: 'NVIDIA 的 AYS（对齐步长）：为 SD 1.x、SDXL 或 SVD 优化的十步序列，按 log σ 插值到其他步数。',
      category: '采样/自定义采样/调度器',
      ...zhInputText(Object.keys(inputs), { model_type: '模型类型' }, { model_type: '序列所针对的模型系列。' }),
    },
  },
  inputs,
  outputs: [{ type: 'SIGMAS', name: 'SIGMAS' }],
  run: ({ model_type, steps, denoise }) => sigmasResult(alignYourStepsSigmas(model_type, steps, denoise)),
});
