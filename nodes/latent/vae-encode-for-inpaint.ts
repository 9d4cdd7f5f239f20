import { defineNode } from '../contract/node-definition.js';
import { encodeImages } from '../runtime/diffusion/vae.js';
import { vaeEncodeMemory } from '../runtime/diffusion/memory-estimates.js';
import { growInpaintMask, maskPixelsForInpaint } from '../runtime/image/inpaint-pixels.js';

export const VAEEncodeForInpaint = defineNode({
  classType: 'VAEEncodeForInpaint',
  displayName: 'VAE Encode (for Inpainting)',
  category: 'latent/inpaint',
  description:
    'Encodes the image with the masked part made grey, and sets the mask (grown by grow_mask_by pixels) as the noise mask: for inpainting models, at denoise 1.',
  translations: {
    'zh-CN': {
      display_name: 'VAE 编码（局部重绘）',
      description:
        '把遮罩部分置灰后编码图像，并把遮罩（扩大 grow_mask_by 像素）设为噪波遮罩：用于局部重绘模型，去噪为 1。',
      inputs: { pixels: '像素', vae: 'VAE', mask: '遮罩', grow_mask_by: '遮罩扩展' },
    },
  },
  inputs: {
    pixels: { kind: 'SOCKET', type: 'IMAGE' },
    vae: { kind: 'SOCKET', type: 'VAE' },
    mask: { kind: 'SOCKET', type: 'MASK' },
    grow_mask_by: { kind: 'INT', default: 6, min: 0, max: 64, step: 1 },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ pixels, vae }) => vaeEncodeMemory(pixels, vae),
  run: async ({ pixels, vae, mask, grow_mask_by }, ctx) => {
    const prepared = maskPixelsForInpaint(pixels, mask, vae.downscale);
    const samples = await encodeImages(vae, prepared.masked, ctx.caches);
    const noiseMask = growInpaintMask(prepared.mask, grow_mask_by);
    return { outputs: [{ samples, downscale: vae.downscale, noiseMask }] };
  },
});
