import { defineNode } from '../contract/node-definition.js';
import { setAreaPercentage } from '../runtime/diffusion/conditioning-ops.js';
import '../runtime/diffusion/types.js';

export const ConditioningSetAreaPercentage = defineNode({
  classType: 'ConditioningSetAreaPercentage',
  displayName: 'Conditioning (Set Area with Percentage)',
  category: 'conditioning',
  description: 'Limits the conditioning to a rectangle given as fractions (0..1) of the image, for any image size.',
  translations: {
    'zh-CN': {
      display_name: '条件（按百分比设置区域）',
      description: '把条件限制在按图像比例（0..1）给出的矩形内，适用于任何尺寸。',
      inputs: { conditioning: '条件', width: '宽度', height: '高度', x: 'x', y: 'y', strength: '强度' },
    },
  },
  inputs: {
    conditioning: { kind: 'SOCKET', type: 'CONDITIONING' },
    width: { kind: 'FLOAT', default: 1, min: 0, max: 1, step: 0.01 },
    height: { kind: 'FLOAT', default: 1, min: 0, max: 1, step: 0.01 },
    x: { kind: 'FLOAT', default: 0, min: 0, max: 1, step: 0.01 },
    y: { kind: 'FLOAT', default: 0, min: 0, max: 1, step: 0.01 },
    strength: { kind: 'FLOAT', default: 1, min: 0, max: 10, step: 0.01 },
  },
  outputs: [{ type: 'CONDITIONING', name: 'CONDITIONING' }],
  run: ({ conditioning, width, height, x, y, strength }) => ({
    outputs: [setAreaPercentage(conditioning, { width, height, x, y }, strength)],
  }),
});
