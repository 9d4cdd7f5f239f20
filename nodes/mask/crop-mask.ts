import { defineNode } from '../contract/node-definition.js';
import { maskShape } from '../runtime/image/image-memory.js';
import { cropMask, cropMaskSize } from '../runtime/image/mask-ops.js';

export const CropMask = defineNode({
  classType: 'CropMask',
  displayName: 'CropMask',
  category: 'mask',
  description: 'Cuts a rectangle out of a mask; a rectangle reaching past the edge stops at it.',
  translations: {
    'zh-CN': {
      display_name: '裁剪遮罩',
      description: '从遮罩中裁出一个矩形；超出边缘的部分在边缘处截止。',
      inputs: { mask: '遮罩', x: 'x', y: 'y', width: '宽度', height: '高度' },
    },
  },
  inputs: {
    mask: { kind: 'SOCKET', type: 'MASK' },
    x: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
    y: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
    width: { kind: 'INT', default: 512, min: 1, max: 16384, step: 1 },
    height: { kind: 'INT', default: 512, min: 1, max: 16384, step: 1 },
  },
  outputs: [{ type: 'MASK', name: 'MASK' }],
  estimate: ({ mask, x, y, width, height }) => {
    if (!mask || x === undefined || y === undefined || width === undefined || height === undefined)
      return { outputs: [undefined], workingBytes: 0 };
    const size = cropMaskSize(mask, x, y, width, height);
    return { outputs: [maskShape(mask.batch, size.height, size.width)], workingBytes: 0 };
  },
  run: ({ mask, x, y, width, height }) => ({ outputs: [cropMask(mask, x, y, width, height)] }),
});
