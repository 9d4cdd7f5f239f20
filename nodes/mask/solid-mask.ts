import { defineNode } from '../contract/node-definition.js';
import { maskShape } from '../runtime/image/image-memory.js';
import { solidMask } from '../runtime/image/mask-ops.js';

export const SolidMask = defineNode({
  classType: 'SolidMask',
  displayName: 'SolidMask',
  category: 'mask',
  description: 'A mask of one size filled with one value.',
  translations: {
    'zh-CN': {
      display_name: '纯色遮罩',
      description: '生成指定尺寸、填充单一数值的遮罩。',
      inputs: { value: '数值', width: '宽度', height: '高度' },
    },
  },
  inputs: {
    value: { kind: 'FLOAT', default: 1.0, min: 0.0, max: 1.0, step: 0.01 },
    width: { kind: 'INT', default: 512, min: 1, max: 16384, step: 1 },
    height: { kind: 'INT', default: 512, min: 1, max: 16384, step: 1 },
  },
  outputs: [{ type: 'MASK', name: 'MASK' }],
  estimate: ({ width, height }) => ({
    outputs: [width !== undefined && height !== undefined ? maskShape(1, height, width) : undefined],
    workingBytes: 0,
  }),
  run: ({ value, width, height }) => ({ outputs: [solidMask(value, width, height)] }),
});
