import { defineNode } from '../contract/node-definition.js';
import { blendLatents, latentOutput } from '../runtime/diffusion/latent-ops.js';
import '../runtime/diffusion/types.js';

/** ComfyUI files this under `_for_testing`; it lives with the other latent nodes here. */
export const LatentBlend = defineNode({
  classType: 'LatentBlend',
  displayName: 'Latent Blend',
  category: '_for_testing',
  description:
    'Mixes two latents: samples1 × blend_factor + samples2 × (1 − blend_factor); samples2 of another size is resized to samples1.',
  translations: {
    'zh-CN': {
      display_name: '潜空间混合',
      description:
        '混合两个潜空间：samples1 × blend_factor + samples2 × (1 − blend_factor)；尺寸不同时先缩放 samples2。',
      inputs: { samples1: '潜空间 1', samples2: '潜空间 2', blend_factor: '混合系数' },
    },
  },
  inputs: {
    samples1: { kind: 'SOCKET', type: 'LATENT' },
    samples2: { kind: 'SOCKET', type: 'LATENT' },
    blend_factor: { kind: 'FLOAT', default: 0.5, min: 0, max: 1, step: 0.01 },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ samples1, samples2 }) =>
    latentOutput(samples1 && samples2 ? { ...samples1, batch: Math.max(samples1.batch, samples2.batch) } : samples1),
  run: ({ samples1, samples2, blend_factor }) => ({
    outputs: [{ ...samples1, samples: blendLatents(samples1.samples, samples2.samples, blend_factor) }],
  }),
});
