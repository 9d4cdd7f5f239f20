import { defineNode } from '../contract/node-definition.js';
import { bislerpLatent, latentOutput, resizeLatent, upscaleBySize } from '../runtime/diffusion/latent-ops.js';
import '../runtime/diffusion/types.js';

const latentUpscaleMethods = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'bislerp'] as const;

export const LatentUpscaleBy = defineNode({
  classType: 'LatentUpscaleBy',
  displayName: 'Upscale Latent By',
  category: 'latent',
  description: 'Resizes latents by a factor (each side × scale_by, rounded).',
  translations: {
    'zh-CN': {
      display_name: '按系数放大潜空间',
      description: '按系数缩放潜空间图像（每边乘以 scale_by 后取整）。',
      inputs: { samples: '潜空间', upscale_method: '缩放方法', scale_by: '缩放系数' },
    },
  },
  inputs: {
    samples: { kind: 'SOCKET', type: 'LATENT' },
    upscale_method: { kind: 'COMBO', options: latentUpscaleMethods },
    scale_by: { kind: 'FLOAT', default: 1.5, min: 0.01, max: 8.0, step: 0.01 },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ samples, upscale_method, scale_by }) => {
    if (!samples || scale_by === undefined) return latentOutput(undefined);
    const size = upscaleBySize(samples.width, samples.height, scale_by);
    const source = samples.height * samples.width;
    const rows = samples.height * size.width;
    const target = size.height * size.width;
    // bislerp holds double-precision copies of the whole batch; the others resize one plane at a time.
    const workingBytes =
      upscale_method === 'bislerp'
        ? 8 * samples.batch * samples.channels * (source + rows + target)
        : 4 * (source + rows + target);
    return { ...latentOutput({ ...samples, ...size }), workingBytes };
  },
  run: ({ samples, upscale_method, scale_by }, ctx) => {
    const source = samples.samples;
    const size = upscaleBySize(source.width, source.height, scale_by);
    if (size.width < 1 || size.height < 1)
      throw new Error(
        `LatentUpscaleBy: scale_by ${scale_by} makes a ${size.width}×${size.height} latent from ${source.width}×${source.height}`,
      );
    // Every plane is a point where an interrupt takes effect.
    const resized =
      upscale_method === 'bislerp'
        ? bislerpLatent(source, size.width, size.height)
        : resizeLatent(source, size.width, size.height, upscale_method, 'disabled', () => ctx.throwIfInterrupted());
    return { outputs: [{ ...samples, samples: resized }] };
  },
});
