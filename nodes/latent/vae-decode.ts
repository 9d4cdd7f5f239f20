import { defineNode } from '../contract/node-definition.js';
import { decodeLatents } from '../runtime/diffusion/vae.js';
import { vaeDecodeMemory } from '../runtime/diffusion/memory-estimates.js';

export const VAEDecode = defineNode({
  classType: 'VAEDecode',
  displayName: 'VAE Decode',
  category: 'latent',
  description: 'Decodes latents into images with the VAE.',
  translations: {
    'zh-CN': {
      tooltips: {
        samples: '要解码的潜空间图像。',
      },
      display_name: 'VAE 解码',
      description: '用 VAE 将潜空间图像解码为图像。',
      inputs: { samples: '潜空间', vae: 'VAE' },
    },
  },
  inputs: {
    samples: { kind: 'SOCKET', type: 'LATENT', tooltip: 'The latents to decode.' },
    vae: { kind: 'SOCKET', type: 'VAE' },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ samples, vae }) => vaeDecodeMemory(samples, vae),
  run: async ({ samples, vae }, ctx) => ({
    outputs: [
      await decodeLatents(vae, samples.samples, ctx.caches, (done, total) => ctx.progress({ value: done, max: total })),
    ],
  }),
});
