import { defineNode } from '../contract/node-definition.js';
import { thresholdMask } from '../runtime/image/mask-ops.js';

export const ThresholdMask = defineNode({
  classType: 'ThresholdMask',
  displayName: 'ThresholdMask',
  category: 'mask',
  description: 'Makes a mask hard: 1 where it is above the value, 0 elsewhere.',
  translations: {
    'zh-CN': {
      display_name: '阈值遮罩',
      description: '将遮罩二值化：大于阈值处为 1，其余为 0。',
      inputs: { mask: '遮罩', value: '阈值' },
    },
  },
  inputs: {
    mask: { kind: 'SOCKET', type: 'MASK' },
    value: { kind: 'FLOAT', default: 0.5, min: 0.0, max: 1.0, step: 0.01 },
  },
  outputs: [{ type: 'MASK', name: 'MASK' }],
  estimate: ({ mask }) => ({ outputs: [mask], workingBytes: 0 }),
  run: ({ mask, value }) => ({ outputs: [thresholdMask(mask, value)] }),
});
