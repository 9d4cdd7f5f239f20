import { defineNode } from '../contract/node-definition.js';
import { latentOutput } from '../runtime/diffusion/latent-ops.js';
import '../runtime/diffusion/types.js';

export const SetLatentNoiseMask = defineNode({
  classType: 'SetLatentNoiseMask',
  displayName: 'Set Latent Noise Mask',
  category: 'latent/inpaint',
  description:
    'Lets the sampler change the latent only where the mask is white (resized to the latent): the rest is kept, for inpainting with any model.',
  translations: {
    'zh-CN': {
      display_name: '设置潜空间噪波遮罩',
      description:
        '让采样器只在遮罩为白色处（缩放到潜空间大小）改变潜空间图像，其余部分保留；任何模型都可用于局部重绘。',
      inputs: { samples: '潜空间', mask: '遮罩' },
    },
  },
  inputs: {
    samples: { kind: 'SOCKET', type: 'LATENT' },
    mask: { kind: 'SOCKET', type: 'MASK' },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ samples }) => latentOutput(samples),
  run: ({ samples, mask }) => ({ outputs: [{ ...samples, noiseMask: mask }] }),
});
