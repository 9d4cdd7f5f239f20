import { defineNode } from '../contract/node-definition.js';
import { sampleWithGuider } from '../runtime/diffusion/guided-sampling.js';
import { samplerMemory } from '../runtime/diffusion/memory-estimates.js';
import { latentInput } from './sampler-inputs.js';
import { guiderSocket, noiseSocket, samplerSocket, sigmasSocket } from './custom-sampler-inputs.js';

export const SamplerCustomAdvanced = defineNode({
  classType: 'SamplerCustomAdvanced',
  displayName: 'SamplerCustomAdvanced',
  category: 'sampling/custom_sampling',
  description:
    'Denoises a latent from its parts: the noise, the guider (what the model is asked), the sampler and the σ schedule; also returns the last step’s denoised estimate.',
  translations: {
    'zh-CN': {
      display_name: '自定义采样器（高级）',
      description: '由各部分组成的采样：噪声、引导器（如何调用模型）、采样器与 σ 调度；同时返回最后一步的降噪估计。',
      inputs: { noise: '噪声', guider: '引导器', sampler: '采样器', sigmas: 'σ 序列', latent_image: '潜空间图像' },
      outputs: ['输出', '降噪输出'],
    },
  },
  inputs: {
    noise: noiseSocket,
    guider: guiderSocket,
    sampler: samplerSocket,
    sigmas: sigmasSocket,
    latent_image: latentInput,
  },
  outputs: [
    { type: 'LATENT', name: 'output' },
    { type: 'LATENT', name: 'denoised_output' },
  ],
  // The guider's shape is its model's; its CFG row count is not known here, so two rows an item are assumed.
  estimate: ({ guider, latent_image }, ctx) => {
    const memory = samplerMemory(guider, latent_image, undefined, ctx);
    return { ...memory, outputs: [memory.outputs[0], memory.outputs[0]] };
  },
  run: async ({ noise, guider, sampler, sigmas, latent_image }, ctx) => {
    const { output, denoised } = await sampleWithGuider(
      {
        guider,
        noise,
        // Noise_EmptyNoise's seed is 0: the sampler's own noise then comes from seed 0, as in ComfyUI.
        samplerSeed: noise.kind === 'random' ? noise.seed : 0,
        sampler,
        sigmas,
        latent: latent_image,
      },
      ctx,
    );
    return { outputs: [output, denoised] };
  },
});
