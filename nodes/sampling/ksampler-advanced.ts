import { defineNode } from '../contract/node-definition.js';
import { sampleLatent } from '../runtime/diffusion/ksampler.js';
import { samplerMemory } from '../runtime/diffusion/memory-estimates.js';
import {
  cfgInput,
  latentInput,
  modelInput,
  negativeInput,
  positiveInput,
  samplerInput,
  samplerTooltips,
  seedTooltip,
  samplerTranslations,
  schedulerInput,
  seedInput,
  stepsInput,
} from './sampler-inputs.js';

export const KSamplerAdvanced = defineNode({
  classType: 'KSamplerAdvanced',
  displayName: 'KSampler (Advanced)',
  category: 'sampling',
  description:
    'A KSampler that runs only steps start_at_step to end_at_step, with or without adding noise, and can return the latent with its leftover noise for a second sampler.',
  translations: {
    'zh-CN': {
      tooltips: { noise_seed: seedTooltip, ...samplerTooltips },
      display_name: 'K 采样器（高级）',
      description:
        '只运行从起始步到结束步的 K 采样器，可选择是否添加噪声，并可返回带剩余噪声的潜空间图像供下一个采样器使用。',
      inputs: {
        ...samplerTranslations,
        add_noise: '添加噪声',
        start_at_step: '起始步',
        end_at_step: '结束步',
        return_with_leftover_noise: '保留剩余噪声',
      },
    },
  },
  inputs: {
    model: modelInput,
    add_noise: { kind: 'COMBO', options: ['enable', 'disable'] },
    noise_seed: seedInput,
    steps: stepsInput,
    cfg: cfgInput,
    sampler_name: samplerInput,
    scheduler: schedulerInput,
    positive: positiveInput,
    negative: negativeInput,
    latent_image: latentInput,
    start_at_step: { kind: 'INT', default: 0, min: 0, max: 10000 },
    end_at_step: { kind: 'INT', default: 10000, min: 0, max: 10000 },
    return_with_leftover_noise: { kind: 'COMBO', options: ['disable', 'enable'] },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ model, latent_image, cfg }, ctx) => samplerMemory(model, latent_image, cfg, ctx),
  run: async (inputs, ctx) => {
    const latent = await sampleLatent(
      {
        model: inputs.model,
        positive: inputs.positive,
        negative: inputs.negative,
        latent: inputs.latent_image,
        seed: inputs.noise_seed,
        steps: inputs.steps,
        cfg: inputs.cfg,
        sampler: inputs.sampler_name,
        scheduler: inputs.scheduler,
        denoise: 1,
        addNoise: inputs.add_noise === 'enable',
        startStep: inputs.start_at_step,
        endStep: inputs.end_at_step,
        forceFullDenoise: inputs.return_with_leftover_noise !== 'enable',
      },
      ctx,
    );
    return { outputs: [latent] };
  },
});
