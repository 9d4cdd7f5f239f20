import { defineNode } from '../contract/node-definition.js';
import { setValues } from '../runtime/diffusion/conditioning-ops.js';
import { encodeImages } from '../runtime/diffusion/vae.js';
import { vaeEncodeMemory } from '../runtime/diffusion/memory-estimates.js';
import { maskPixelsForInpaint } from '../runtime/image/inpaint-pixels.js';

export const InpaintModelConditioning = defineNode({
  classType: 'InpaintModelConditioning',
  displayName: 'InpaintModelConditioning',
  category: 'conditioning/inpaint',
  description:
    'For inpainting: gives both conditionings the masked image (its latent) and the mask, which 9-channel inpainting UNets take, and the whole image as the latent, with the mask as its noise mask when noise_mask is on.',
  translations: {
    'zh-CN': {
      tooltips: {
        noise_mask: '给潜空间加上噪声遮罩，只在遮罩内采样。视模型而定，可能改善结果，也可能完全破坏画面。',
      },
      display_name: '局部重绘模型条件',
      description:
        '用于局部重绘：给正负条件附上遮罩后图像的潜空间和遮罩（9 通道局部重绘 UNet 需要它们），并输出整幅图像的潜空间；开启 noise_mask 时以遮罩为噪波遮罩。',
      inputs: {
        positive: '正面条件',
        negative: '负面条件',
        vae: 'VAE',
        pixels: '像素',
        mask: '遮罩',
        noise_mask: '噪波遮罩',
      },
      outputs: ['正面条件', '负面条件', '潜空间'],
    },
  },
  inputs: {
    positive: { kind: 'SOCKET', type: 'CONDITIONING' },
    negative: { kind: 'SOCKET', type: 'CONDITIONING' },
    vae: { kind: 'SOCKET', type: 'VAE' },
    pixels: { kind: 'SOCKET', type: 'IMAGE' },
    mask: { kind: 'SOCKET', type: 'MASK' },
    noise_mask: {
      kind: 'BOOLEAN',
      default: true,
      tooltip:
        'Add a noise mask to the latent so sampling will only happen within the mask. Might improve results or completely break things depending on the model.',
    },
  },
  outputs: [
    { type: 'CONDITIONING', name: 'positive' },
    { type: 'CONDITIONING', name: 'negative' },
    { type: 'LATENT', name: 'latent' },
  ],
  estimate: ({ pixels, vae }) => {
    // Two encodes (the masked image and the whole one), one at a time; the conditionings carry no tracked shape.
    const encode = vaeEncodeMemory(pixels, vae);
    return { ...encode, outputs: [undefined, undefined, encode.outputs[0]] };
  },
  run: async ({ positive, negative, vae, pixels, mask, noise_mask }, ctx) => {
    // ComfyUI crops to 8 pixels here, whatever the VAE's cell: Inkgraph crops to the VAE's own cell.
    const prepared = maskPixelsForInpaint(pixels, mask, vae.downscale);
    const concatLatent = await encodeImages(vae, prepared.masked, ctx.caches);
    const samples = await encodeImages(vae, pixels, ctx.caches);
    const keys = { concatLatent, concatMask: prepared.mask };
    const latent = { samples, downscale: vae.downscale, ...(noise_mask ? { noiseMask: prepared.mask } : {}) };
    return { outputs: [setValues(positive, keys), setValues(negative, keys), latent] };
  },
});
