import { defineNode } from '../contract/node-definition.js';
import { setArea } from '../runtime/diffusion/conditioning-ops.js';
import '../runtime/diffusion/types.js';

export const ConditioningSetArea = defineNode({
  classType: 'ConditioningSetArea',
  displayName: 'Conditioning (Set Area)',
  category: 'conditioning',
  description:
    'Limits the conditioning to a rectangle of the image (in pixels, rounded down to latent cells); its edges fade over 8 cells where they are inside the image. Combine several for regional prompting.',
  translations: {
    'zh-CN': {
      display_name: '条件（设置区域）',
      description:
        '把条件限制在图像的一个矩形内（像素，向下取整到潜空间单元）；在图像内部的边缘渐隐 8 个单元。合并多个即可分区提示。',
      inputs: { conditioning: '条件', width: '宽度', height: '高度', x: 'x', y: 'y', strength: '强度' },
    },
  },
  inputs: {
    conditioning: { kind: 'SOCKET', type: 'CONDITIONING' },
    width: { kind: 'INT', default: 64, min: 64, max: 16384, step: 8 },
    height: { kind: 'INT', default: 64, min: 64, max: 16384, step: 8 },
    x: { kind: 'INT', default: 0, min: 0, max: 16384, step: 8 },
    y: { kind: 'INT', default: 0, min: 0, max: 16384, step: 8 },
    strength: { kind: 'FLOAT', default: 1, min: 0, max: 10, step: 0.01 },
  },
  outputs: [{ type: 'CONDITIONING', name: 'CONDITIONING' }],
  run: ({ conditioning, width, height, x, y, strength }) => ({
    outputs: [setArea(conditioning, { width, height, x, y }, strength)],
  }),
});
