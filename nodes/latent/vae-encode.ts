import { defineNode } from '../contract/node-definition.js';
import { encodeImages } from '../runtime/diffusion/vae.js';
import { vaeEncodeMemory } from '../runtime/diffusion/memory-estimates.js';

export const VAEEncode = defineNode({
  classType: 'VAEEncode',
  displayName: 'VAE Encode',
  category: 'latent',
  description:
    "Encodes images into latents with the VAE (for img2img); alpha is dropped and sizes are cropped to the VAE's cell.",
  translations: {
    'zh-CN': {
      display_name: 'VAE 编码',
      description: '用 VAE 将图像编码为潜空间图像（用于图生图）；去掉透明通道，尺寸裁剪到 VAE 单元的整数倍。',
      inputs: { pixels: '像素', vae: 'VAE' },
    },
  },
  inputs: {
    pixels: { kind: 'SOCKET', type: 'IMAGE' },
    vae: { kind: 'SOCKET', type: 'VAE' },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ pixels, vae }) => vaeEncodeMemory(pixels, vae),
  run: async ({ pixels, vae }, ctx) => ({
    outputs: [{ samples: await encodeImages(vae, pixels, ctx.caches), downscale: vae.downscale }],
  }),
});
