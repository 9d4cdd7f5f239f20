import { defineNode } from '../contract/node-definition.js';
import { initialNoise, latentForModel, latentItems } from '../runtime/diffusion/guided-sampling.js';
import { latentOnModelGrid } from '../runtime/diffusion/memory-estimates.js';
import '../runtime/sampling/custom-sampling-types.js';

export const AddNoise = defineNode({
  classType: 'AddNoise',
  displayName: 'AddNoise',
  category: 'experimental/custom_sampling/noise',
  description:
    'Adds noise to a latent at the size of a σ schedule’s span (first σ minus last), as a sampler would before starting there.',
  translations: {
    'zh-CN': {
      display_name: '添加噪声',
      description: '按 σ 调度的跨度（首个 σ 减最后一个）向潜空间图像加入噪声，就像采样器从那里开始前所做的。',
      inputs: { model: '模型', noise: '噪声', sigmas: 'σ 序列', latent_image: '潜空间图像' },
    },
  },
  inputs: {
    model: { kind: 'SOCKET', type: 'MODEL' },
    noise: { kind: 'SOCKET', type: 'NOISE' },
    sigmas: { kind: 'SOCKET', type: 'SIGMAS' },
    latent_image: { kind: 'SOCKET', type: 'LATENT' },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  // One latent out, on the model's grid; the noise it draws is freed with the step.
  estimate: ({ model, latent_image }) => ({
    outputs: [latent_image && model ? latentOnModelGrid(latent_image, model) : latent_image],
    workingBytes: 0,
  }),
  run: ({ model, noise, sigmas, latent_image }) => {
    if (sigmas.length === 0) return { outputs: [latent_image] };
    const samples = latentForModel(latent_image, model);
    const itemSize = samples.channels * samples.height * samples.width;
    const z = initialNoise(noise, latentItems(latent_image, samples.batch), itemSize);
    const sigma = sigmas.length > 1 ? Math.abs(sigmas[0]! - sigmas[sigmas.length - 1]!) : sigmas[0]!;
    // noise_scaling in the model's space (latent · scale factor), back out of it, NaN and ±∞ made 0 as ComfyUI does.
    const data = samples.data.map((value, i) => {
      const noisy = (value * model.scaleFactor + z[i]! * sigma) / model.scaleFactor;
      return Number.isFinite(noisy) ? noisy : 0;
    });
    return { outputs: [{ ...latent_image, downscale: model.downscale, samples: { ...samples, data } }] };
  },
});
