import { defineNode } from '../contract/node-definition.js';
import { maskComposite, maskCompositeOperations } from '../runtime/image/mask-ops.js';

export const MaskComposite = defineNode({
  classType: 'MaskComposite',
  displayName: 'MaskComposite',
  category: 'mask',
  description:
    'Combines the source mask, placed at x, y, with the destination it covers (multiply, add, subtract, and, or, xor), clamped to 0..1.',
  translations: {
    'zh-CN': {
      display_name: '遮罩合成',
      description: '把放在 x, y 处的源遮罩与其覆盖的目标遮罩按运算（乘、加、减、与、或、异或）合成，结果限制在 0..1。',
      inputs: { destination: '目标', source: '源', x: 'x', y: 'y', operation: '运算' },
    },
  },
  inputs: {
    destination: { kind: 'SOCKET', type: 'MASK' },
    source: { kind: 'SOCKET', type: 'MASK' },
    x: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
    y: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
    operation: { kind: 'COMBO', options: maskCompositeOperations },
  },
  outputs: [{ type: 'MASK', name: 'MASK' }],
  estimate: ({ destination }) => ({ outputs: [destination], workingBytes: 0 }),
  run: ({ destination, source, x, y, operation }) => ({
    outputs: [maskComposite(destination, source, x, y, operation)],
  }),
});
