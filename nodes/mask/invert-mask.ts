import { defineNode } from '../contract/node-definition.js';
import { invertMask } from '../runtime/image/masks.js';

export const InvertMask = defineNode({
  classType: 'InvertMask',
  displayName: 'Invert Mask',
  category: 'mask',
  description: 'Inverts a mask (1 − value).',
  translations: {
    'zh-CN': { display_name: '反转遮罩', description: '反转遮罩（1 − 值）。', inputs: { mask: '遮罩' } },
  },
  inputs: { mask: { kind: 'SOCKET', type: 'MASK' } },
  outputs: [{ type: 'MASK', name: 'MASK' }],
  estimate: ({ mask }) => ({ outputs: [mask], workingBytes: 0 }),
  run: ({ mask }) => ({ outputs: [invertMask(mask)] }),
});
