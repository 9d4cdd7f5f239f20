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

export const KSampler = defineNode({
  classType: 'KSampler',
  displayName: 'KSampler',
  category: 'sampling',
  description:
    'Denoises a latent step by step, guided by the prompts, with a live preview of every step. Denoise below 1 keeps part of the input latent (img2img).',
  translations: {
    'zh-CN': {
      tooltips: { seed: seedTooltip, ...samplerTooltips },
      display_name: 'K 采样器',
      description: '在提示词引导下逐步对潜空间图像降噪，每一步都有实时预览。降噪小于 1 时保留部分输入（图生图）。',
      inputs: samplerTranslations,
    },
  },
  inputs: {
    model: modelInput,
    seed: seedInput,
    steps: stepsInput,
    cfg: cfgInput,
    sampler_name: samplerInput,
    scheduler: schedulerInput,
    positive: positiveInput,
    negative: negativeInput,
    latent_image: latentInput,
    denoise: { kind: 'FLOAT', default: 1, min: 0, max: 1, step: 0.01 },
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
        seed: inputs.seed,
        steps: inputs.steps,
        cfg: inputs.cfg,
        sampler: inputs.sampler_name,
        scheduler: inputs.scheduler,
        denoise: inputs.denoise,
        addNoise: true,
      },
      ctx,
    );
    return { outputs: [latent] };
  },
});
