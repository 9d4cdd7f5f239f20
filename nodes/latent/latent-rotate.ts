import { defineNode } from '../contract/node-definition.js';
import { latentOutput, rotateLatent, rotations } from '../runtime/diffusion/latent-ops.js';
import '../runtime/diffusion/types.js';

export const LatentRotate = defineNode({
  classType: 'LatentRotate',
  displayName: 'Rotate Latent',
  category: 'latent/transform',
  description: 'Rotates latents clockwise by quarter turns.',
  translations: {
    'zh-CN': {
      display_name: '旋转潜空间',
      description: '将潜空间图像顺时针旋转 90° 的整数倍。',
      inputs: { samples: '潜空间', rotation: '旋转' },
    },
  },
  inputs: {
    samples: { kind: 'SOCKET', type: 'LATENT' },
    rotation: { kind: 'COMBO', options: rotations },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ samples, rotation }) => {
    if (!samples || rotation === undefined) return latentOutput(undefined);
    const swap = rotation === '90 degrees' || rotation === '270 degrees';
    return latentOutput(swap ? { ...samples, width: samples.height, height: samples.width } : samples);
  },
  run: ({ samples, rotation }) => ({ outputs: [{ ...samples, samples: rotateLatent(samples.samples, rotation) }] }),
});
