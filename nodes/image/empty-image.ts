import { defineNode } from '../contract/node-definition.js';
import { imageShape } from '../runtime/image/image-memory.js';
import { emptyImage } from '../runtime/image/image-ops.js';

export const EmptyImage = defineNode({
  classType: 'EmptyImage',
  displayName: 'EmptyImage',
  category: 'image',
  description: 'Makes a batch of RGB images filled with one colour (an integer 0xRRGGBB).',
  translations: {
    'zh-CN': {
      display_name: '空图像',
      description: '生成填充单一颜色（整数 0xRRGGBB）的 RGB 图像批次。',
      inputs: { width: '宽度', height: '高度', batch_size: '批次大小', color: '颜色' },
    },
  },
  inputs: {
    width: { kind: 'INT', default: 512, min: 1, max: 16384, step: 1 },
    height: { kind: 'INT', default: 512, min: 1, max: 16384, step: 1 },
    batch_size: { kind: 'INT', default: 1, min: 1, max: 4096 },
    color: { kind: 'INT', default: 0, min: 0, max: 0xffffff, step: 1, display: 'color' },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ width, height, batch_size }) => ({
    outputs: [width === undefined || height === undefined ? undefined : imageShape(batch_size ?? 1, height, width, 3)],
    workingBytes: 0,
    driver: { input: 'batch_size', why: `${batch_size ?? 1} images of ${width ?? '?'}×${height ?? '?'} px` },
  }),
  run: ({ width, height, batch_size, color }) => ({ outputs: [emptyImage(width, height, batch_size, color)] }),
});
