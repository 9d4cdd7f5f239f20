import { defineNode } from '../contract/node-definition.js';
import { modelInput } from './sampler-inputs.js';
import { SIGMAS_CATEGORY, SIGMAS_CATEGORY_ZH, zhInputText } from './sigma-node-parts.js';

const inputs = {
  model: modelInput,
  sampling_percent: {
    kind: 'FLOAT',
    default: 0,
    min: 0,
    max: 1,
    step: 0.0001,
    tooltip: 'How far through the sampling: 0 is its start (the most noise), 1 its end.',
  },
  return_actual_sigma: {
    kind: 'BOOLEAN',
    default: false,
    tooltip:
      'Return the actual sigma value instead of the value used for interval checks.\nThis only affects results at 0.0 and 1.0.',
  },
} as const;

export const SamplingPercentToSigma = defineNode({
  classType: 'SamplingPercentToSigma',
  displayName: 'SamplingPercentToSigma',
  category: SIGMAS_CATEGORY,
  description:
    "The model's σ a fraction of the way through sampling, as a number (e.g. for SetFirstSigma or a σ range); at 0 and 1 the bounds timestep ranges use, unless the actual σ is asked for.",
  translations: {
    'zh-CN': {
      display_name: '按采样百分比取 σ',
      description:
        '模型在采样进行到某一比例时的 σ，作为数值输出（例如供设置首个 σ 或 σ 范围使用）；在 0 和 1 处为时间步范围判断所用的边界值，除非要求实际 σ。',
      category: SIGMAS_CATEGORY_ZH,
      ...zhInputText(
        Object.keys(inputs),
        { sampling_percent: '采样百分比', return_actual_sigma: '返回实际 σ' },
        {
          sampling_percent: '采样进行到的比例：0 为开始（噪声最大），1 为结束。',
          return_actual_sigma: '返回实际的 σ，而不是区间判断所用的值。\n只影响 0.0 和 1.0 处的结果。',
        },
      ),
      outputs: ['σ 值'],
    },
  },
  inputs,
  outputs: [{ type: 'FLOAT', name: 'sigma_value' }],
  run: ({ model, sampling_percent, return_actual_sigma }) => {
    const sampling = model.sampling;
    // percent_to_sigma gives 999999999.9 at 0 and 0 at 1, so that a range check there takes in every σ.
    if (return_actual_sigma && sampling_percent === 0) return { outputs: [sampling.sigmaMax] };
    if (return_actual_sigma && sampling_percent === 1) return { outputs: [sampling.sigmaMin] };
    return { outputs: [sampling.percentToSigma(sampling_percent)] };
  },
});
