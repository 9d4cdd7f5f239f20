import { defineNode } from '../contract/node-definition.js';
import { ModelSampling, type PredictionType } from '../runtime/sampling/model-sampling.js';
import '../runtime/diffusion/types.js';

const PREDICTIONS = {
  eps: 'epsilon',
  v_prediction: 'v_prediction',
  lcm: 'epsilon',
  x0: 'x0',
  img_to_img: 'img_to_img',
} as const satisfies Record<string, PredictionType>;

/** The distilled table of LCM: every 20th of the 1000 training steps (50 original steps). */
const LCM_STRIDE = 20;

export const ModelSamplingDiscrete = defineNode({
  classType: 'ModelSamplingDiscrete',
  displayName: 'ModelSamplingDiscrete',
  category: 'advanced/model',
  description:
    'Overrides what the model predicts (ε, v, LCM’s distilled consistency output, x0 or img_to_img) and optionally rescales its schedule to zero terminal SNR.',
  translations: {
    'zh-CN': {
      display_name: '离散模型采样',
      description: '覆盖模型的预测类型（ε、v、LCM 蒸馏一致性输出、x0 或 img_to_img），并可把调度重缩放到零终端信噪比。',
      inputs: { model: '模型', sampling: '采样方式', zsnr: '零终端信噪比' },
      tooltips: {
        sampling: '模型输出的含义：eps（噪声）、v_prediction、lcm、x0（干净潜空间）或 img_to_img。',
        zsnr: '把噪声调度重缩放到零终端信噪比（用于以此训练的模型）。',
      },
    },
  },
  inputs: {
    model: { kind: 'SOCKET', type: 'MODEL' },
    sampling: {
      kind: 'COMBO',
      options: ['eps', 'v_prediction', 'lcm', 'x0', 'img_to_img'],
      tooltip: "What the model's output is: eps (noise), v_prediction, lcm, x0 (the clean latent) or img_to_img.",
    },
    zsnr: {
      kind: 'BOOLEAN',
      default: false,
      tooltip: 'Rescale the noise schedule to zero terminal SNR (for models trained so).',
    },
  },
  outputs: [{ type: 'MODEL', name: 'MODEL' }],
  // A patched copy of the model: its weights are the same ones, so its shape is the model's.
  estimate: ({ model }) => ({ outputs: [model], workingBytes: 0 }),
  run: ({ model, sampling, zsnr }) => {
    const schedule = new ModelSampling(
      model.sampling.config,
      PREDICTIONS[sampling],
      sampling === 'lcm' ? LCM_STRIDE : undefined,
      zsnr,
    );
    return { outputs: [{ ...model, sampling: schedule }] };
  },
});
