import { defineNode } from '../contract/node-definition.js';
import { flipLatent, flipMethods, latentOutput } from '../runtime/diffusion/latent-ops.js';
import '../runtime/diffusion/types.js';

export const LatentFlip = defineNode({
  classType: 'LatentFlip',
  displayName: 'Flip Latent',
  category: 'latent/transform',
  description: 'Mirrors latents top to bottom (x-axis) or left to right (y-axis).',
  translations: {
    'zh-CN': {
      display_name: '翻转潜空间',
      description: '上下（x 轴）或左右（y 轴）翻转潜空间图像。',
      inputs: { samples: '潜空间', flip_method: '翻转方式' },
    },
  },
  inputs: {
    samples: { kind: 'SOCKET', type: 'LATENT' },
    flip_method: { kind: 'COMBO', options: flipMethods },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ samples }) => latentOutput(samples),
  run: ({ samples, flip_method }) => ({ outputs: [{ ...samples, samples: flipLatent(samples.samples, flip_method) }] }),
});
