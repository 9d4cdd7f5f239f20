import { defineNode } from '../contract/node-definition.js';
import { featherMask } from '../runtime/image/mask-ops.js';

export const FeatherMask = defineNode({
  classType: 'FeatherMask',
  displayName: 'FeatherMask',
  category: 'mask',
  description: 'Fades a mask towards each edge over the given number of pixels.',
  translations: {
    'zh-CN': {
      display_name: '羽化遮罩',
      description: '在各边指定的像素范围内让遮罩向边缘渐隐。',
      inputs: { mask: '遮罩', left: '左', top: '上', right: '右', bottom: '下' },
    },
  },
  inputs: {
    mask: { kind: 'SOCKET', type: 'MASK' },
    left: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
    top: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
    right: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
    bottom: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
  },
  outputs: [{ type: 'MASK', name: 'MASK' }],
  estimate: ({ mask }) => ({ outputs: [mask], workingBytes: 0 }),
  run: ({ mask, left, top, right, bottom }) => ({ outputs: [featherMask(mask, left, top, right, bottom)] }),
});
