import { defineNode } from '../contract/node-definition.js';
import { sampleWithGuider } from '../runtime/diffusion/guided-sampling.js';
import { samplerMemory } from '../runtime/diffusion/memory-estimates.js';
import {
  cfgInput,
  latentInput,
  modelInput,
  negativeInput,
  positiveInput,
  samplerTooltips,
  samplerTranslations,
  seedInput,
  seedTooltip,
} from './sampler-inputs.js';
import { samplerSocket, sigmasSocket } from './custom-sampler-inputs.js';

export const SamplerCustom = defineNode({
  classType: 'SamplerCustom',
  displayName: 'SamplerCustom',
  category: 'sampling/custom_sampling',
  description:
    'Denoises a latent with a sampler and a σ schedule chosen by other nodes, guided by the prompts with cfg; also returns the last step’s denoised estimate.',
  translations: {
    'zh-CN': {
      display_name: '自定义采样器',
      description: '用其他节点选定的采样器与 σ 调度对潜空间图像降噪，以 cfg 按提示词引导；同时返回最后一步的降噪估计。',
      inputs: {
        ...samplerTranslations,
        model: '模型',
        add_noise: '添加噪声',
        sampler: '采样器',
        sigmas: 'σ 序列',
      },
      outputs: ['输出', '降噪输出'],
      tooltips: { noise_seed: seedTooltip, cfg: samplerTooltips.cfg },
    },
  },
  inputs: {
    model: modelInput,
    add_noise: { kind: 'BOOLEAN', default: true },
    noise_seed: seedInput,
    cfg: cfgInput,
    positive: positiveInput,
    negative: negativeInput,
    sampler: samplerSocket,
    sigmas: sigmasSocket,
    latent_image: latentInput,
  },
  outputs: [
    { type: 'LATENT', name: 'output' },
    { type: 'LATENT', name: 'denoised_output' },
  ],
  estimate: ({ model, latent_image, cfg }, ctx) => {
    const memory = samplerMemory(model, latent_image, cfg, ctx);
    return { ...memory, outputs: [memory.outputs[0], memory.outputs[0]] };
  },
  run: async (inputs, ctx) => {
    const { output, denoised } = await sampleWithGuider(
      {
        guider: {
          kind: 'cfg',
          model: inputs.model,
          positive: inputs.positive,
          negative: inputs.negative,
          cfg: inputs.cfg,
        },
        noise: inputs.add_noise ? { kind: 'random', seed: inputs.noise_seed } : { kind: 'disabled' },
        samplerSeed: inputs.noise_seed,
        sampler: inputs.sampler,
        sigmas: inputs.sigmas,
        latent: inputs.latent_image,
      },
      ctx,
    );
    return { outputs: [output, denoised] };
  },
});
