import { defineNode } from '../contract/node-definition.js';
import { turboSigmas } from '../runtime/sampling/schedulers.js';
import { modelInput } from './sampler-inputs.js';
import {
  denoiseInput,
  SCHEDULERS_CATEGORY,
  SCHEDULERS_CATEGORY_ZH,
  sigmasResult,
  zhInputText,
} from './sigma-node-parts.js';

const inputs = {
  model: modelInput,
  steps: { kind: 'INT', default: 1, min: 1, max: 10, tooltip: 'The number of steps (1 to 10).' },
  denoise: denoiseInput,
} as const;

export const SDTurboScheduler = defineNode({
  classType: 'SDTurboScheduler',
  displayName: 'SDTurboScheduler',
  category: SCHEDULERS_CATEGORY,
  description:
    "SD Turbo's few-step schedule: σ at timesteps 999, 899, … 99, starting 10·(1 − denoise) in; at most 10 − that many steps.",
  translations: {
    'zh-CN': {
      display_name: 'SD Turbo 调度器',
      description:
        'SD Turbo 的少步数序列：取时间步 999、899……99 处的 σ，从第 10·(1 − 降噪) 个开始；步数最多为 10 减去该数。',
      category: SCHEDULERS_CATEGORY_ZH,
      ...zhInputText(Object.keys(inputs), {}, { steps: '步数（1 到 10）。' }),
    },
  },
  inputs,
  outputs: [{ type: 'SIGMAS', name: 'SIGMAS' }],
  run: ({ model, steps, denoise }) => sigmasResult(turboSigmas(model.sampling, steps, denoise)),
});
