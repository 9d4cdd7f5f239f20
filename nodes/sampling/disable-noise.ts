import { defineNode } from '../contract/node-definition.js';
import '../runtime/sampling/custom-sampling-types.js';

export const DisableNoise = defineNode({
  classType: 'DisableNoise',
  displayName: 'DisableNoise',
  category: 'sampling/noise',
  description:
    'No initial noise: SamplerCustomAdvanced starts from the latent as it is (for a latent that has its noise).',
  translations: {
    'zh-CN': {
      display_name: '禁用噪声',
      description: '不加初始噪声：SamplerCustomAdvanced 直接从原潜空间图像开始（用于已含噪声的潜空间图像）。',
    },
  },
  inputs: {},
  outputs: [{ type: 'NOISE', name: 'NOISE' }],
  run: () => ({ outputs: [{ kind: 'disabled' }] }),
});
