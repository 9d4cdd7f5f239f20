import { defineNode } from '../contract/node-definition.js';
import { imageShape } from '../runtime/image/image-memory.js';
import { cropImage, cropWindow } from '../runtime/image/image-ops.js';

export const ImageCrop = defineNode({
  classType: 'ImageCrop',
  displayName: 'Crop Image',
  category: 'image/transform',
  description:
    'Keeps a width×height region whose top-left corner is at x, y; the region is cut short where it passes the edge.',
  translations: {
    'zh-CN': {
      display_name: '裁剪图像',
      description: '保留左上角位于 x、y 的 宽×高 区域；超出图像边缘的部分被截去。',
      inputs: { image: '图像', width: '宽度', height: '高度', x: 'X', y: 'Y' },
    },
  },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
    width: { kind: 'INT', default: 512, min: 1, max: 16384, step: 1 },
    height: { kind: 'INT', default: 512, min: 1, max: 16384, step: 1 },
    x: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
    y: { kind: 'INT', default: 0, min: 0, max: 16384, step: 1 },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ image, width, height, x, y }) => {
    if (!image || width === undefined || height === undefined || x === undefined || y === undefined)
      return { outputs: [undefined], workingBytes: 0 };
    const window = cropWindow(image.width, image.height, width, height, x, y);
    return { outputs: [imageShape(image.batch, window.height, window.width, image.channels)], workingBytes: 0 };
  },
  run: ({ image, width, height, x, y }) => ({ outputs: [cropImage(image, width, height, x, y)] }),
});
