import { defineNode } from '../contract/node-definition.js';
import '../runtime/diffusion/types.js';

export const RescaleCFG = defineNode({
  classType: 'RescaleCFG',
  displayName: 'RescaleCFG',
  category: 'advanced/model',
  description:
    'Rescales CFG’s result to the spread of the conditional prediction (in v space), which keeps high CFG from burning colours; multiplier blends it with plain CFG.',
  translations: {
    'zh-CN': {
      display_name: '重缩放 CFG',
      description:
        '把 CFG 的结果重缩放到条件预测的离散程度（在 v 空间中），防止高 CFG 使颜色过饱和；multiplier 控制与普通 CFG 的混合。',
      inputs: { model: '模型', multiplier: '倍数' },
      tooltips: { multiplier: '1：完全重缩放；0：普通 CFG。' },
    },
  },
  inputs: {
    model: { kind: 'SOCKET', type: 'MODEL' },
    multiplier: {
      kind: 'FLOAT',
      default: 0.7,
      min: 0,
      max: 1,
      step: 0.01,
      tooltip: '1: fully rescaled; 0: plain CFG.',
    },
  },
  outputs: [{ type: 'MODEL', name: 'MODEL' }],
  // A patched copy of the model: its weights are the same ones, so its shape is the model's.
  estimate: ({ model }) => ({ outputs: [model], workingBytes: 0 }),
  run: ({ model, multiplier }) => ({ outputs: [{ ...model, cfgRescale: multiplier }] }),
});
