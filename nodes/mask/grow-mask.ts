import { defineNode } from '../contract/node-definition.js';
import { growMask } from '../runtime/image/mask-ops.js';

export const GrowMask = defineNode({
  classType: 'GrowMask',
  displayName: 'GrowMask',
  category: 'mask',
  description:
    'Grows a mask by expand pixels (shrinks it when negative); tapered corners grow through edges only, not diagonals.',
  translations: {
    'zh-CN': {
      display_name: '扩展遮罩',
      description: '将遮罩扩展 expand 个像素（负值为收缩）；圆角模式只沿边扩展，不沿对角。',
      inputs: { mask: '遮罩', expand: '扩展', tapered_corners: '圆角' },
    },
  },
  inputs: {
    mask: { kind: 'SOCKET', type: 'MASK' },
    expand: { kind: 'INT', default: 0, min: -16384, max: 16384, step: 1 },
    tapered_corners: { kind: 'BOOLEAN', default: true },
  },
  outputs: [{ type: 'MASK', name: 'MASK' }],
  // Two scratch planes of one mask while it grows.
  estimate: ({ mask }) => ({ outputs: [mask], workingBytes: mask ? 2 * mask.height * mask.width * 4 : 0 }),
  run: ({ mask, expand, tapered_corners }) => ({ outputs: [growMask(mask, expand, tapered_corners)] }),
});
