import { defineNode } from '../contract/node-definition.js';
import { cfgInput, modelInput, negativeInput, positiveInput, samplerTooltips } from './sampler-inputs.js';
import '../runtime/diffusion/guider.js';

export const CFGGuider = defineNode({
  classType: 'CFGGuider',
  displayName: 'CFG Guider',
  category: 'sampling/guiders',
  description: "Guides sampling by the positive and negative prompts mixed by cfg, as KSampler's guidance does.",
  translations: {
    'zh-CN': {
      display_name: 'CFG 引导器',
      description: '以 cfg 混合正向与负向提示词来引导采样，与 K 采样器的引导相同。',
      inputs: { model: '模型', positive: '正向', negative: '负向', cfg: 'CFG' },
      tooltips: { cfg: samplerTooltips.cfg },
    },
  },
  inputs: { model: modelInput, positive: positiveInput, negative: negativeInput, cfg: cfgInput },
  outputs: [{ type: 'GUIDER', name: 'GUIDER' }],
  // Holds nothing: its shape is the model's, for the sampler's estimate.
  estimate: ({ model }) => ({ outputs: [model], workingBytes: 0 }),
  run: ({ model, positive, negative, cfg }) => ({ outputs: [{ kind: 'cfg', model, positive, negative, cfg }] }),
});
