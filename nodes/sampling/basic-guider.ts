import { defineNode } from '../contract/node-definition.js';
import { modelInput } from './sampler-inputs.js';
import '../runtime/diffusion/guider.js';

export const BasicGuider = defineNode({
  classType: 'BasicGuider',
  displayName: 'Basic Guider',
  category: 'sampling/guiders',
  description: 'Guides sampling by one conditioning alone (no negative, no CFG): for distilled models.',
  translations: {
    'zh-CN': {
      display_name: '基础引导器',
      description: '只用一个条件引导采样（无负向、无 CFG），适合蒸馏模型。',
      inputs: { model: '模型', conditioning: '条件' },
    },
  },
  inputs: { model: modelInput, conditioning: { kind: 'SOCKET', type: 'CONDITIONING' } },
  outputs: [{ type: 'GUIDER', name: 'GUIDER' }],
  // Holds nothing: its shape is the model's, for the sampler's estimate.
  estimate: ({ model }) => ({ outputs: [model], workingBytes: 0 }),
  run: ({ model, conditioning }) => ({ outputs: [{ kind: 'basic', model, positive: conditioning }] }),
});
