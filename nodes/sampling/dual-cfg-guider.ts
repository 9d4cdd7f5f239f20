import { defineNode } from '../contract/node-definition.js';
import { cfgInput, modelInput } from './sampler-inputs.js';
import '../runtime/diffusion/guider.js';

export const DualCFGGuider = defineNode({
  classType: 'DualCFGGuider',
  displayName: 'Dual CFG Guider',
  category: 'sampling/guiders',
  description:
    'Guides sampling by two prompts and a negative: cond2 against the negative by cfg_cond2_negative, cond1 against cond2 by cfg_conds (regular), or the two mixes nested.',
  translations: {
    'zh-CN': {
      display_name: '双 CFG 引导器',
      description:
        '用两个提示词与一个负向提示词引导采样：cond2 相对负向按 cfg_cond2_negative，cond1 相对 cond2 按 cfg_conds（regular），或两次混合嵌套（nested）。',
      inputs: {
        model: '模型',
        cond1: '条件 1',
        cond2: '条件 2',
        negative: '负向',
        cfg_conds: '条件间 CFG',
        cfg_cond2_negative: '条件 2 与负向 CFG',
        style: '方式',
      },
      tooltips: {
        cfg_conds: 'cond1 相对 cond2 的引导强度。',
        cfg_cond2_negative: 'cond2 相对负向的引导强度。',
        style: 'regular：两次引导相加；nested：先混合两个条件，再相对负向引导。',
      },
    },
  },
  inputs: {
    model: modelInput,
    cond1: { kind: 'SOCKET', type: 'CONDITIONING' },
    cond2: { kind: 'SOCKET', type: 'CONDITIONING' },
    negative: { kind: 'SOCKET', type: 'CONDITIONING' },
    cfg_conds: { ...cfgInput, tooltip: 'How strongly cond1 is guided away from cond2.' },
    cfg_cond2_negative: { ...cfgInput, tooltip: 'How strongly cond2 is guided away from the negative.' },
    style: {
      kind: 'COMBO',
      options: ['regular', 'nested'],
      tooltip: 'regular: the two guidances added; nested: the two prompts mixed first, then guided from the negative.',
    },
  },
  outputs: [{ type: 'GUIDER', name: 'GUIDER' }],
  // Holds nothing: its shape is the model's, for the sampler's estimate.
  estimate: ({ model }) => ({ outputs: [model], workingBytes: 0 }),
  run: ({ model, cond1, cond2, negative, cfg_conds, cfg_cond2_negative, style }) => ({
    outputs: [
      {
        kind: 'dual',
        model,
        cond1,
        cond2,
        negative,
        cfgConds: cfg_conds,
        cfgCond2Negative: cfg_cond2_negative,
        nested: style === 'nested',
      },
    ],
  }),
});
