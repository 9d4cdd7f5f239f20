import { defineNode } from '../contract/node-definition.js';
import '../runtime/diffusion/types.js';

export const EmptyLatentImage = defineNode({
  classType: 'EmptyLatentImage',
  displayName: 'Empty Latent Image',
  category: 'latent',
  description:
    'A batch of empty 4-channel latents of the given pixel size for text-to-image (one cell per 8×8 pixels; a sampler whose model uses smaller cells re-makes it at the same pixel size).',
  translations: {
    'zh-CN': {
      tooltips: {
        batch_size: '批次中潜空间图像的数量。',
      },
      display_name: '空潜空间图像',
      description: '用于文生图的一批空的 4 通道潜空间图像，每 8×8 像素对应一个潜空间单元。',
      inputs: { width: '宽度', height: '高度', batch_size: '批量大小' },
    },
  },
  inputs: {
    width: { kind: 'INT', default: 512, min: 16, max: 16384, step: 8 },
    height: { kind: 'INT', default: 512, min: 16, max: 16384, step: 8 },
    batch_size: { kind: 'INT', default: 1, min: 1, max: 4096, tooltip: 'The number of latent images in the batch.' },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ width, height, batch_size }) =>
    width === undefined || height === undefined || batch_size === undefined
      ? { outputs: [undefined], workingBytes: 0 }
      : {
          outputs: [
            {
              kind: 'latent',
              batch: batch_size,
              channels: 4,
              height: Math.floor(height / 8),
              width: Math.floor(width / 8),
              downscale: 8,
            },
          ],
          workingBytes: 0,
        },
  run: ({ width, height, batch_size }) => {
    const latentHeight = Math.floor(height / 8);
    const latentWidth = Math.floor(width / 8);
    const data = new Float32Array(batch_size * 4 * latentHeight * latentWidth);
    return {
      outputs: [
        { samples: { batch: batch_size, channels: 4, height: latentHeight, width: latentWidth, data }, downscale: 8 },
      ],
    };
  },
});
