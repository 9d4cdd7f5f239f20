import { defineNode } from '../contract/node-definition.js';
import { seedInput, seedTooltip } from './sampler-inputs.js';
import '../runtime/sampling/custom-sampling-types.js';

export const RandomNoise = defineNode({
  classType: 'RandomNoise',
  displayName: 'RandomNoise',
  category: 'sampling/noise',
  description: "Seeded noise for SamplerCustomAdvanced: the same seed gives the same noise as KSampler's.",
  translations: {
    'zh-CN': {
      display_name: '随机噪声',
      description: '供 SamplerCustomAdvanced 使用的种子噪声：同一种子与 K 采样器的噪声相同。',
      inputs: { noise_seed: '噪声种子' },
      tooltips: { noise_seed: seedTooltip },
    },
  },
  inputs: { noise_seed: seedInput },
  outputs: [{ type: 'NOISE', name: 'NOISE' }],
  run: ({ noise_seed }) => ({ outputs: [{ kind: 'random', seed: noise_seed }] }),
});
