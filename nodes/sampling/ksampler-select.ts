import { defineNode } from '../contract/node-definition.js';
import { samplerInput } from './sampler-inputs.js';
import { samplerOutput } from './custom-sampler-inputs.js';

export const KSamplerSelect = defineNode({
  classType: 'KSamplerSelect',
  displayName: 'KSamplerSelect',
  category: 'sampling/samplers',
  description: 'Picks a sampling algorithm, with its default options, for SamplerCustom and SamplerCustomAdvanced.',
  translations: {
    'zh-CN': {
      display_name: 'K 采样器选择',
      description: '选择采样算法（使用默认选项），供 SamplerCustom 与 SamplerCustomAdvanced 使用。',
      inputs: { sampler_name: '采样器' },
      tooltips: { sampler_name: '采样算法。' },
    },
  },
  inputs: { sampler_name: samplerInput },
  outputs: samplerOutput,
  run: ({ sampler_name }) => ({ outputs: [{ name: sampler_name, options: {} }] }),
});
